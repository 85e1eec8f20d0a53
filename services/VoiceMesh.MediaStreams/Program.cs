using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Outbox;
using VoiceMesh.MediaStreams.Playback;
using VoiceMesh.MediaStreams.Restart;
using VoiceMesh.MediaStreams.Streaming;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEventStore("mediastreams").AddMediaStreamsOutbox();
builder.AddMediaStreaming();
builder.AddMediaPlayback();
builder.AddStreamRestart();
builder.AddMessaging();

var app = builder.Build();
app.UseServiceDefaults();
app.MapMediaStreaming();
var streams = app.MapGroup("/api/media-streams");
streams.MapMediaStreamLifecycle();
streams.MapMediaPlayback();
app.Run();

public partial class Program;
