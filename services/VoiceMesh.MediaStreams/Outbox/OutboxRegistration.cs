using JasperFx.Events.Daemon;
using Marten;

namespace VoiceMesh.MediaStreams.Outbox;

/// <summary>What leaves the MediaStreams service leaves from its event store (<see cref="MediaStreamEventsPublisher"/>).</summary>
internal static class OutboxRegistration
{
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddMediaStreamsOutbox(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression store) =>
        store.AddSubscriptionWithServices<MediaStreamEventsPublisher>(ServiceLifetime.Singleton).AddAsyncDaemon(DaemonMode.HotCold);
}
