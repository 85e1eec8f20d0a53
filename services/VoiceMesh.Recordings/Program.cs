using VoiceMesh.Recordings.Archiving;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Outbox;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEventStore("recordings").AddRecordingsOutbox();
builder.AddRecordingStorage();
builder.AddRecordingLifecycle();
builder.AddRecordingArchiving();
builder.AddMessaging();

var app = builder.Build();
app.UseServiceDefaults();
var recordings = app.MapGroup("/api/recordings");
recordings.MapRecordingLifecycle();
recordings.MapRecordingArchiving();
app.Run();

public partial class Program;
