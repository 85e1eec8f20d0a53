using MassTransit;
using VoiceMesh.Calls.Control;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Api;

public sealed record RedirectRequest(string? Url = null, string? Twiml = null);

internal static class ControlApi
{
    /// <summary><c>POST /api/calls/{callSid}/hangup</c> and <c>/redirect</c>: the same commands other systems publish.</summary>
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/calls/{callSid}/hangup", (string callSid, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
            Send(new HangUpCall { CallSid = callSid, OccurredAt = clock.GetUtcNow() }, CallCommandValidator.Validate, bus, ct));
        endpoints.MapPost("/api/calls/{callSid}/redirect", (string callSid, RedirectRequest body, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
            Send(new RedirectCall { CallSid = callSid, Url = body.Url, Twiml = body.Twiml, OccurredAt = clock.GetUtcNow() }, CallCommandValidator.Validate, bus, ct));
        return endpoints;
    }

    private static async Task<IResult> Send<T>(
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
