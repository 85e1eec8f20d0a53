using JasperFx.Events.Daemon;
using Marten;

namespace VoiceMesh.Conferences.Outbox;

/// <summary>What leaves the Conferences service leaves from its event store (<see cref="ConferenceEventsPublisher"/>).</summary>
internal static class OutboxRegistration
{
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddConferencesOutbox(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression store)
    {
        store.Services.AddSingleton<IConfigureMarten, OutboxPolling>();
        return store.AddSubscriptionWithServices<ConferenceEventsPublisher>(ServiceLifetime.Singleton).AddAsyncDaemon(DaemonMode.HotCold);
    }
}
