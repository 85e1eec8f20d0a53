using JasperFx.Events.Daemon;
using Marten;

namespace VoiceMesh.NumberPool.Outbox;

/// <summary>What leaves the NumberPool service leaves from its event store (<see cref="NumberEventsPublisher"/>).</summary>
internal static class OutboxRegistration
{
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddNumbersOutbox(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression store) =>
        store.AddSubscriptionWithServices<NumberEventsPublisher>(ServiceLifetime.Singleton).AddAsyncDaemon(DaemonMode.HotCold);
}
