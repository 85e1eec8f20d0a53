using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallRecordings;

/// <summary>
/// The call's recordings: RecordingArchived and RecordingPurged (from the Recordings service) listed on the call's
/// stream, served as <c>recordings</c> in <c>GET /api/calls/{callSid}</c>.
/// </summary>
internal static class CallRecordingsRegistration
{
    public static IHostApplicationBuilder AddCallRecordings(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts => opts.Events.AddEventType<CallRecordingLinked>());
        builder.Services.AddSingleton<CallRecordingLinker>();
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<RecordingArchivedConsumer>();
            x.AddConsumer<RecordingPurgedConsumer>();
        });
        return builder;
    }
}
