using JasperFx.Events.Daemon;
using Marten;

namespace VoiceMesh.Recordings.Outbox;

/// <summary>What leaves the Recordings service leaves from its event store (<see cref="RecordingEventsPublisher"/>).</summary>
internal static class OutboxRegistration
{
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddRecordingsOutbox(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression store) =>
        store.AddSubscriptionWithServices<RecordingEventsPublisher>(ServiceLifetime.Singleton).AddAsyncDaemon(DaemonMode.HotCold);
}
