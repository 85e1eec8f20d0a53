using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Outbox;
using VoiceMesh.MediaStreams.Streaming;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEventStore("mediastreams").AddMediaStreamsOutbox();
builder.AddMediaStreaming();
builder.AddMessaging();

var app = builder.Build();
app.UseServiceDefaults();
app.MapMediaStreaming();
app.MapGroup("/api/media-streams").MapMediaStreamLifecycle();
app.Run();

public partial class Program;
