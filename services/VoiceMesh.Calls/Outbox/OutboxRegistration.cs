using JasperFx.Events.Daemon;
using Marten;

namespace VoiceMesh.Calls.Outbox;

/// <summary>What leaves the Calls service leaves from its event store (<see cref="CallEventsPublisher"/>).</summary>
internal static class OutboxRegistration
{
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddCallsOutbox(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression store) =>
        store.AddSubscriptionWithServices<CallEventsPublisher>(ServiceLifetime.Singleton).AddAsyncDaemon(DaemonMode.HotCold);
}
