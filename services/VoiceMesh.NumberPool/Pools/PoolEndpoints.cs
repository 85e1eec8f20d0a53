using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Pools;

/// <summary>The body of <c>PUT /api/numbers/pools/{pool}</c>.</summary>
public sealed record DefinePoolRequest(
    IReadOnlyList<string>? Tags = null,
    int? MaxConcurrentCalls = null,
    int? MaxCallsPerHour = null,
    int? MaxCallsPerDay = null,
    int? CooldownAfterCalls = null,
    int? CooldownSeconds = null,
    string? DefinedBy = null,
    ReputationThresholds? Reputation = null);

/// <summary>A pool's reputation thresholds (see <see cref="PoolReputation"/>); each one left out takes its default.</summary>
public sealed record ReputationThresholds(
    int? WindowSeconds = null, int? MinCalls = null, double? AnswerRateRatio = null, int? ShortCallSeconds = null, int? CooldownSeconds = null)
{
    public static ReputationThresholds Of(PoolReputation r) =>
        new((int)r.Window.TotalSeconds, r.MinCalls, r.AnswerRateRatio, r.ShortCallSeconds, (int)r.Cooldown.TotalSeconds);

    public PoolReputation ToReputation()
    {
        var d = PoolReputation.Default;
        return new(
            WindowSeconds is { } window ? TimeSpan.FromSeconds(window) : d.Window, MinCalls ?? d.MinCalls, AnswerRateRatio ?? d.AnswerRateRatio,
            ShortCallSeconds ?? d.ShortCallSeconds, CooldownSeconds is { } cooldown ? TimeSpan.FromSeconds(cooldown) : d.Cooldown);
    }
}

/// <summary>A pool as <c>GET /api/numbers/pools/{pool}</c> answers it.</summary>
public sealed record PoolResponse(
    string Name, IReadOnlyList<string> Tags, int MaxConcurrentCalls, int? MaxCallsPerHour, int? MaxCallsPerDay,
    int? CooldownAfterCalls, int? CooldownSeconds, ReputationThresholds Reputation, string DefinedBy, DateTimeOffset DefinedAt)
{
    public static PoolResponse Of(Pool pool) => new(
        pool.Name, pool.Tags, pool.Limits.MaxConcurrentCalls, pool.Limits.MaxCallsPerHour, pool.Limits.MaxCallsPerDay,
        pool.Limits.CooldownAfterCalls, (int?)pool.Limits.Cooldown?.TotalSeconds, ReputationThresholds.Of(pool.Reputation), pool.DefinedBy,
        pool.DefinedAt);
}

internal static class PoolEndpoints
{
    private const int MaxBodyBytes = 8 * 1024;
    private const int MaxTags = 20;
    private const int MaxTagLength = 64;

    public static RouteGroupBuilder MapPoolEndpoints(this RouteGroupBuilder numbers)
    {
        numbers.MapPut("/pools/{pool}", Define).WithName("DefinePool");
        numbers.MapGet("/pools/{pool}", Get).WithName("GetPool");
        return numbers;
    }

    private static async Task<Results<Ok<PoolResponse>, ValidationProblem, ProblemHttpResult>> Define(
        string pool, HttpRequest request, StreamCommands commands, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!Pool.IsValidName(pool))
        {
            return Problem("pool", Pool.NameDescription);
        }

        var (body, refused) = await request.ReadJson<DefinePoolRequest>(MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (Invalid(body!) is { } invalid)
        {
            return invalid;
        }

        var definition = new PoolDefined(
            pool,
            [.. body!.Tags ?? []],
            new PoolLimits(
                body.MaxConcurrentCalls!.Value, body.MaxCallsPerHour, body.MaxCallsPerDay, body.CooldownAfterCalls,
                body.CooldownSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null),
            body.DefinedBy!,
            clock.GetUtcNow(),
            (body.Reputation ?? new ReputationThresholds()).ToReputation());
        await commands.Execute<Pool>(Pool.StreamId(pool), null, p => Pool.Define(p, definition), cancellationToken);
        return TypedResults.Ok(PoolResponse.Of((await commands.Load<Pool>(Pool.StreamId(pool), cancellationToken))!));
    }

    private static async Task<Results<Ok<PoolResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string pool, StreamCommands commands, CancellationToken cancellationToken)
    {
        if (!Pool.IsValidName(pool))
        {
            return Problem("pool", Pool.NameDescription);
        }

        return await commands.Load<Pool>(Pool.StreamId(pool), cancellationToken) is { } found
            ? TypedResults.Ok(PoolResponse.Of(found))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Pool not found", detail: $"No pool named {pool} is defined.");
    }

    private static ValidationProblem? Invalid(DefinePoolRequest body)
    {
        if (body.MaxConcurrentCalls is not (>= 1 and <= 1000))
        {
            return Problem("maxConcurrentCalls", "maxConcurrentCalls is required, 1-1000.");
        }

        if (body.MaxCallsPerHour is < 1 || body.MaxCallsPerDay is < 1 || body.CooldownAfterCalls is < 1)
        {
            return Problem("limits", "maxCallsPerHour, maxCallsPerDay and cooldownAfterCalls are at least 1 when given.");
        }

        if (body.CooldownAfterCalls is null != body.CooldownSeconds is null || body.CooldownSeconds is < 1 or > 7 * 86_400)
        {
            return Problem("cooldownSeconds", "cooldownAfterCalls and cooldownSeconds (1 s to 7 days) are given together or not at all.");
        }

        if (body.Reputation is { } r
            && (r.WindowSeconds is < 60 or > 30 * 86_400 || r.MinCalls is < 1 or > 100_000 || r.AnswerRateRatio is not (null or (> 0 and < 1))
                || r.ShortCallSeconds is < 1 or > 3600 || r.CooldownSeconds is < 1 or > 30 * 86_400))
        {
            return Problem(
                "reputation",
                "reputation: windowSeconds 60 s to 30 days, minCalls 1-100000, answerRateRatio between 0 and 1 (exclusive), "
                + "shortCallSeconds 1-3600, cooldownSeconds 1 s to 30 days; each may be left out.");
        }

        if (body.Tags is { } tags && (tags.Count > MaxTags || tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > MaxTagLength || t.Any(char.IsControl))))
        {
            return Problem("tags", $"At most {MaxTags} tags of 1-{MaxTagLength} characters.");
        }

        return string.IsNullOrWhiteSpace(body.DefinedBy) || body.DefinedBy.Length > 200 || body.DefinedBy.Any(char.IsControl)
            ? Problem("definedBy", "definedBy (who defines the pool) is required, 1-200 characters.")
            : null;
    }

    internal static ValidationProblem Problem(string field, string reason) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [reason] });
}
