using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>One stream per number, served as the number read model; release, quarantine and deletion at Twilio.</summary>
internal static class LifecycleRegistration
{
    public static IHostApplicationBuilder AddNumberLifecycle(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<NumberProvisioningStarted>();
            opts.Events.AddEventType<NumberActivated>();
            opts.Events.AddEventType<NumberProvisioningRefused>();
            opts.Events.AddEventType<NumberQuarantined>();
            opts.Events.AddEventType<NumberDeletionRequested>();
            opts.Events.AddEventType<NumberReleased>();
            opts.Events.AddEventType<NumberSuspended>();
            opts.Events.AddEventType<NumberResumed>();
            opts.Projections.Snapshot<Number>(SnapshotLifecycle.Inline);
        });
        builder.Services.AddSingleton<NumberReleases>();
        builder.Services.AddHostedService<LifecycleTimers>();
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<ReleaseNumberConsumer>();
            x.AddConsumer<DeleteNumberAtTwilioConsumer>();
        });
        return builder;
    }

    /// <summary>
    /// <c>GET /api/numbers</c>, <c>GET</c> and <c>DELETE /api/numbers/{phoneNumber}</c>, <c>PUT</c> and <c>DELETE
    /// /api/numbers/{phoneNumber}/suspension</c>.
    /// </summary>
    public static RouteGroupBuilder MapNumberLifecycle(this RouteGroupBuilder numbers) => numbers.MapNumberEndpoints();
}
