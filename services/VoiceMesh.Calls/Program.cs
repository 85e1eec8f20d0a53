using VoiceMesh.Calls.Api;
using VoiceMesh.Calls.Consumers;
using VoiceMesh.Calls.Domain;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Calls.Reconciliation;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCallsMarten();
builder.AddCallsMessaging();
builder.AddCallPlacement();
builder.AddCallReconciliation();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapCallsApi();
app.MapPlacementApi();
app.MapControlApi();
app.Run();

public partial class Program;
