using Microsoft.AspNetCore.Http.HttpResults;
using MassTransit;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Control;

public sealed record RedirectRequest(string? Url = null, string? Twiml = null);

internal static class ControlEndpoints
{
    /// <summary><c>POST /api/calls/{callSid}/hangup</c> and <c>/redirect</c>: the same commands other systems publish.</summary>
    public static RouteGroupBuilder MapControlEndpoints(this RouteGroupBuilder calls)
    {
        calls.MapPost("/{callSid}/hangup", (string callSid, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
            Send(new HangUpCall { CallSid = callSid, OccurredAt = clock.GetUtcNow() }, CallCommandValidator.Validate, bus, ct));
        calls.MapPost("/{callSid}/redirect", (string callSid, RedirectRequest body, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
            Send(new RedirectCall { CallSid = callSid, Url = body.Url, Twiml = body.Twiml, OccurredAt = clock.GetUtcNow() }, CallCommandValidator.Validate, bus, ct));
        return calls;
    }

    private static async Task<Results<Accepted, ValidationProblem>> Send<T>(
        T command, Func<T, (string Field, string Reason)?> validate, IPublishEndpoint bus, CancellationToken cancellationToken)
        where T : class
    {
        if (validate(command) is { } violation)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [violation.Field] = [violation.Reason] });
        }

        await bus.Publish(command, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }
}
