using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Placement;

/// <summary>
/// Outbound placement: PlaceCall over the bus or <c>POST /api/calls</c>, one stream per request, Calls creates paced
/// to the account's calls per second as they are sent (below the Twilio client's resilience pipeline).
/// </summary>
internal static class PlacementRegistration
{
    public static IHostApplicationBuilder AddCallPlacement(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CallsOptions>();
        builder.Services.AddPacedTwilioClient(sp => sp.GetRequiredService<IOptions<CallsOptions>>().Value.CallsPerSecond);
        builder.Services.AddSingleton<PlaceCallValidator>();
        builder.Services.AddSingleton<PlacementMetrics>();
        builder.Services.AddScoped<TwilioCallPlacer>();
        builder.Services.AddScoped<CallPlacementService>();
        builder.Services.AddPooledCallerIds();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<PlacementRequested>();
            opts.Events.AddEventType<PlacementRejected>();
            opts.Events.AddEventType<PlacementAttemptStarted>();
            opts.Events.AddEventType<PlacementAttemptFailed>();
            opts.Events.AddEventType<PlacementSucceeded>();
            opts.Events.AddEventType<PlacementFailed>();
            opts.Events.AddEventType<CallerIdReleaseRequested>();
            opts.Events.AddEventType<PlacementLeaseReleased>();
            opts.Projections.Snapshot<CallPlacement>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
        });
        builder.Services.AddConsumers(x => x.AddConsumer<PlaceCallConsumer>(typeof(PlaceCallConsumerDefinition)));
        return builder;
    }

    /// <summary><c>POST /api/calls</c> and <c>GET /api/calls/requests/{requestId}</c>.</summary>
    public static RouteGroupBuilder MapCallPlacement(this RouteGroupBuilder calls) => calls.MapPlacementEndpoints();
}
