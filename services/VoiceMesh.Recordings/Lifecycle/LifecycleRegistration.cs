using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Lifecycle;

/// <summary>Recording status callbacks folded into one stream per RecordingSid, served as the recording read model.</summary>
internal static class LifecycleRegistration
{
    public static IHostApplicationBuilder AddRecordingLifecycle(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<RecordingReported>();
            opts.Events.AddEventType<RecordingArchiveRequested>();
            opts.Events.AddEventType<RecordingArchived>();
            opts.Events.AddEventType<RecordingArchiveFailed>();
            opts.Events.AddEventType<RecordingDeletedAtTwilio>();
            opts.Projections.Snapshot<Recording>(SnapshotLifecycle.Inline);
        });
        builder.Services.AddConsumers(x => x.AddConsumer<RecordingCallbackReceivedConsumer>(typeof(GroupedConsumerDefinition<RecordingCallbackReceivedConsumer>)));
        return builder;
    }

    /// <summary><c>GET /api/recordings/{recordingSid}</c>.</summary>
    public static RouteGroupBuilder MapRecordingLifecycle(this RouteGroupBuilder recordings) => recordings.MapRecordingEndpoints();
}
