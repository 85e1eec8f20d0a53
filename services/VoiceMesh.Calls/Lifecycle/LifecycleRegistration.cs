using Marten;
using JasperFx.Events.Projections;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Lifecycle;

/// <summary>The call lifecycle: status callbacks folded into one stream per CallSid, served as the call read model.</summary>
internal static class LifecycleRegistration
{
    public static IHostApplicationBuilder AddCallLifecycle(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<CallStatusReported>();
            opts.Events.AddEventType<CallPlaced>();
            opts.Projections.Snapshot<Call>(SnapshotLifecycle.Inline);
        });
        builder.Services.AddSingleton<LifecycleMetrics>();
        builder.Services.AddConsumers(x => x.AddConsumer<CallStatusCallbackReceivedConsumer>(typeof(GroupedConsumerDefinition<CallStatusCallbackReceivedConsumer>)));
        return builder;
    }

    /// <summary><c>GET /api/calls/{callSid}</c>.</summary>
    public static RouteGroupBuilder MapCallLifecycle(this RouteGroupBuilder calls) => calls.MapCallEndpoints();
}
