using VoiceMesh.TwilioSimulator.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddTwilioSimulator();
var app = builder.Build();
app.MapTwilioSimulator();
app.Run();
