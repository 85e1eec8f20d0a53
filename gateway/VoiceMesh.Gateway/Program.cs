using VoiceMesh.Gateway.Api;
using VoiceMesh.Gateway.Fallback;
using VoiceMesh.Gateway.DeadLetters;
using VoiceMesh.Gateway.Operations;
using VoiceMesh.Gateway.Routing;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddMessaging();
builder.AddTwilioWebhooks();
builder.AddApiAuthentication();
builder.AddManifestRoutes();
builder.AddTwimlFallback();
builder.AddDeadLetters();
builder.AddOperationsConsole();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseTwilioWebhookValidation();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapTwilioWebhooks();
app.MapDeadLetters();
app.MapApiReference();
app.MapOperationsConsole();
app.MapReverseProxyWithTwimlFallback();
app.Run();

public partial class Program;
