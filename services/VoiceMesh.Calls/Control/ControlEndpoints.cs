using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using MassTransit;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Control;

public sealed record RedirectRequest(string? Url = null, string? Twiml = null);

internal static class ControlEndpoints
{
    /// <summary><c>POST /api/calls/{callSid}/hangup</c> and <c>/redirect</c>: the same commands other systems publish.</summary>
    public static RouteGroupBuilder MapControlEndpoints(this RouteGroupBuilder calls)
    {
        calls.MapPost("/{callSid}/hangup", (string callSid, IQuerySession session, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
            Send(callSid, new HangUpCall { CallSid = callSid, OccurredAt = clock.GetUtcNow() }, CallCommandValidator.Validate, session, bus, ct));
        calls.MapPost("/{callSid}/redirect", (string callSid, RedirectRequest body, IQuerySession session, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
            Send(callSid, new RedirectCall { CallSid = callSid, Url = body.Url, Twiml = body.Twiml, OccurredAt = clock.GetUtcNow() }, CallCommandValidator.Validate, session, bus, ct));
        return calls;
    }

    /// <summary>
    /// Validates the command and publishes it for a call this service knows; a sid it has never seen answers 404 here,
    /// instead of an acknowledged command that could only fail.
    /// </summary>
    private static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> Send<T>(
        string callSid, T command, Func<T, (string Field, string Reason)?> validate, IQuerySession session, IPublishEndpoint bus, CancellationToken cancellationToken)
        where T : class
    {
        if (validate(command) is { } violation)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [violation.Field] = [violation.Reason] });
        }

        if (await session.LoadAsync<Call>(callSid, cancellationToken) is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "Call not found", detail: $"No call with sid {callSid} is known.");
        }

        await bus.Publish(command, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }
}
