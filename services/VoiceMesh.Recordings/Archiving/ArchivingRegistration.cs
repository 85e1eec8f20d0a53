using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// Archiving: ArchiveRecording (from the outbox) downloads, verifies and stores the media, then deletes it at Twilio;
/// the archived bytes are served at <c>/api/recordings/{recordingSid}/media</c>.
/// </summary>
internal static class ArchivingRegistration
{
    public static IHostApplicationBuilder AddRecordingArchiving(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RecordingsOptions>();
        builder.Services.AddTwilioClient();
        builder.Services.AddTwilioMediaClient();
        builder.Services.AddSingleton<IFailureClassifier, MediaDownloadFailureClassifier>();
        builder.Services.AddScoped<TwilioRecordings>();
        builder.Services.AddSingleton<RecordingsMetrics>();
        builder.Services.AddScoped<RecordingArchiver>();
        builder.Services.AddConsumers(x => x.AddConsumer<ArchiveRecordingConsumer>());
        return builder;
    }

    public static RouteGroupBuilder MapRecordingArchiving(this RouteGroupBuilder recordings) => recordings.MapMediaEndpoints();
}
