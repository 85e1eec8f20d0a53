using MassTransit;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Api;

public sealed record RedirectRequest(string? Url = null, string? Twiml = null);

internal static partial class ControlApi
{
    /// <summary><c>POST /api/calls/{callSid}/hangup</c> and <c>/redirect</c>: the same commands other systems publish.</summary>
    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/calls/{callSid}/hangup", HangUp);
        endpoints.MapPost("/api/calls/{callSid}/redirect", Redirect);
        return endpoints;
    }

    private static async Task<IResult> HangUp(string callSid, IPublishEndpoint bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!CallSidPattern().IsMatch(callSid))
        {
            return InvalidCallSid();
        }

        await bus.Publish(new HangUpCall { CallSid = callSid, OccurredAt = clock.GetUtcNow() }, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<IResult> Redirect(
        string callSid, RedirectRequest body, IPublishEndpoint bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!CallSidPattern().IsMatch(callSid))
        {
            return InvalidCallSid();
        }

        if ((body.Url is null) == (body.Twiml is null)
            || (body.Url is not null && !(Uri.TryCreate(body.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["Url"] = ["Exactly one of an absolute http(s) Url or Twiml is required."] });
        }

        await bus.Publish(new RedirectCall { CallSid = callSid, Url = body.Url, Twiml = body.Twiml, OccurredAt = clock.GetUtcNow() }, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem InvalidCallSid() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["CallSid"] = ["CallSid must be CA followed by 32 hex digits."] });

    [System.Text.RegularExpressions.GeneratedRegex("^CA[0-9a-f]{32}$")]
    private static partial System.Text.RegularExpressions.Regex CallSidPattern();
}
