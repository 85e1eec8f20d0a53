namespace VoiceMesh.Calls.Flows;

internal static class FlowTwimlEndpoints
{
    /// <summary>
    /// Twilio's TwiML requests, which the gateway validates and proxies: <c>/twilio/voice</c> (an incoming call),
    /// <c>/twilio/voice/flow/{flowId}/{version}/{step}/{action}</c> (the way back into a step) and
    /// <c>/twilio/voice/queue/bridge</c> (a dequeued caller meets the agent). They are Twilio's, not the API's:
    /// left out of the API description (docs/webhooks.md shows them).
    /// </summary>
    public static IEndpointRouteBuilder MapFlowTwiml(this IEndpointRouteBuilder endpoints)
    {
        var app = endpoints.MapGroup("").ExcludeFromDescription();
        app.MapPost("/twilio/voice", (HttpContext context, FlowTwiml twiml) => twiml.Incoming(context));
        app.MapPost("/twilio/voice/flow/{flowId}/{version:int}/{step}/{action}",
            async (HttpContext context, string flowId, int version, string step, string action, int? attempt, FlowTwiml twiml) =>
                Enum.TryParse<FlowAction>(action, ignoreCase: true, out var parsed) && !int.TryParse(action, out _) && attempt is null or >= 0
                    ? await twiml.Continue(context, flowId, version, step, parsed, attempt ?? 0)
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown flow action", detail: $"'{action}' is not a flow action."));
        app.MapPost("/twilio/voice/queue/bridge", (string to, string? callerId) => FlowTwiml.Bridge(to, callerId));
        return endpoints;
    }
}
