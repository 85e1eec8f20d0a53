using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Flows;

/// <summary>
/// TwiML call flows: flows as versioned JSON (files and <c>/api/flows</c>), served to Twilio as TwiML, each turn
/// recorded on the call's stream.
/// </summary>
internal static class FlowsRegistration
{
    public static IHostApplicationBuilder AddCallFlows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<FlowOptions>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<FlowStore>();
        builder.Services.AddSingleton<FlowMetrics>();
        builder.Services.AddScoped<FlowTwiml>();
        builder.Services.AddHostedService<FlowFiles>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Schema.For<FlowVersion>();
            opts.Schema.For<FlowHead>();
            opts.Schema.For<NumberAssignment>().Index(a => a.FlowId);
            opts.Events.AddEventType<FlowStarted>();
            opts.Events.AddEventType<FlowStepEntered>();
            opts.Events.AddEventType<CallerInputReceived>();
            opts.Events.AddEventType<DialEnded>();
            opts.Events.AddEventType<QueueJoined>();
            opts.Events.AddEventType<QueuePositionReported>();
            opts.Events.AddEventType<QueueLeft>();
            opts.Events.AddEventType<VoicemailRecorded>();
        });
        return builder;
    }

    /// <summary><c>/api/flows</c>.</summary>
    public static RouteGroupBuilder MapCallFlows(this RouteGroupBuilder flows) => flows.MapFlowEndpoints();
}
