using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Calls.Publishing;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Domain;

internal static class MartenRegistration
{
    public static IHostApplicationBuilder AddCallsMarten(this IHostApplicationBuilder builder)
    {
        builder.AddMartenStore("calls", opts =>
        {
            opts.UseSystemTextJsonForSerialization();
            opts.Events.AddEventType<CallStatusReported>();
            opts.Events.AddEventType<CallPlaced>();
            opts.Events.AddEventType<AnsweredByDetected>();
            opts.Events.AddEventType<CallReconciliationChecked>();
            opts.Projections.Snapshot<Call>(SnapshotLifecycle.Inline);
            opts.Projections.Snapshot<CallPlacement>(SnapshotLifecycle.Inline);
        })
        .AddSubscriptionWithServices<CallEventsPublisher>(ServiceLifetime.Singleton)
        .AddAsyncDaemon(DaemonMode.HotCold);
        return builder;
    }
}
