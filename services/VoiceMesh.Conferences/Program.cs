using Microsoft.Extensions.Options;
using VoiceMesh.Conferences;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Conferences.Outbox;
using VoiceMesh.Conferences.Rooms;
using VoiceMesh.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddValidatedOptions<ConferencesOptions>();
builder.Services.AddSingleton<ConferencePartitions>(); // one room at a time per instance, across queues
builder.Services.AddPacedTwilioClient(sp => sp.GetRequiredService<IOptions<ConferencesOptions>>().Value.DialsPerSecond); // Rooms' dials, paced, and Control's updates
builder.AddEventStore("conferences").AddConferencesOutbox();
builder.AddConferenceLifecycle();
builder.AddRooms();
builder.AddConferenceControl();
builder.AddMessaging();

var app = builder.Build();
app.UseServiceDefaults();
var conferences = app.MapGroup("/api/conferences");
conferences.MapConferenceLifecycle();
conferences.MapRooms();
conferences.MapConferenceControl();
app.Run();

public partial class Program;
