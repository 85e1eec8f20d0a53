using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.TwilioSimulator.Rest;

/// <summary>The answer to a create that succeeded (a call, a participant), unless a create-response fault takes it.</summary>
internal static class CreateResponses
{
    /// <summary>
    /// <paramref name="created"/>, or, while <c>/_sim/faults/create-response</c> has creates left to spoil, the
    /// connection aborted or the answer held back: the resource exists, the client never learns it.
    /// </summary>
    public static async Task<IResult> Answer(HttpContext context, FaultState faults, IResult created)
    {
        switch (faults.TakeCreateFault())
        {
            case { Mode: CreateResponseFaultMode.Abort }:
                context.Items[RestMiddleware.FaultItem] = "create-response-aborted";
                context.Abort();
                return Results.Empty;
            case { Mode: CreateResponseFaultMode.Delay } fault:
                context.Items[RestMiddleware.FaultItem] = "create-response-delayed";
                try
                {
                    await Task.Delay(fault.Delay, TimeProvider.System, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return Results.Empty;
                }

                return created;
            default:
                return created;
        }
    }
}
