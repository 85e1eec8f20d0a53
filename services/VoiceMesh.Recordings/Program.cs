using VoiceMesh.Recordings.Archiving;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Outbox;
using VoiceMesh.Recordings.Retention;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEventStore("recordings").AddRecordingsOutbox();
builder.AddRecordingStorage();
builder.AddRecordingLifecycle();
builder.AddRecordingArchiving();
builder.AddRecordingRetention();
builder.AddMessaging();

var app = builder.Build();
app.UseServiceDefaults();
var recordings = app.MapGroup("/api/recordings");
recordings.MapRecordingLifecycle();
recordings.MapRecordingArchiving();
recordings.MapRecordingRetention();
app.Run();

public partial class Program;
