using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.NumberPool.Leasing;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.NumberPool.Reputation;
using VoiceMesh.NumberPool.Routing;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>A number's usage as the read model shows it: counters of the current hour and day, and its open leases.</summary>
public sealed record UsageResponse(
    int ActiveLeases, int CallsThisHour, int CallsToday, long TotalCalls, DateTimeOffset? LastUsedAt, DateTimeOffset? CoolingUntil,
    IReadOnlyList<OpenLease> Leases);

/// <summary>
/// A number's reputation: over its pool's window now (only in <c>GET /api/numbers/{phoneNumber}</c>), and the evidence
/// of its last reputation cooldown.
/// </summary>
public sealed record ReputationResponse(
    TimeSpan Window, int? Calls, double? AnswerRate, double? ShortCallRate, double? AverageTalkSeconds, int? PoolCalls, double? PoolAnswerRate,
    ReputationEvidence? LastCooldown);

/// <summary>A step of the number's history.</summary>
public sealed record StepResponse(string State, string Reason, string By, DateTimeOffset At);

/// <summary>A pool number, as <c>GET /api/numbers</c> and <c>GET /api/numbers/{phoneNumber}</c> answer it.</summary>
public sealed record NumberResponse(
    string PhoneNumber, string? PhoneNumberSid, string Pool, string State, string? Origin, string? IsoCountry, string? AreaCode,
    string? Region, string? TimeZone, Uri? VoiceUrl, Uri? VoiceFallbackUrl, Uri? StatusCallback, string? InboundFlow, int? ErrorCode, string? ErrorMessage,
    DateTimeOffset? QuarantineUntil, DateTimeOffset? CoolingDownUntil, ReputationResponse? Reputation, UsageResponse? Usage,
    IReadOnlyList<StepResponse> History)
{
    public static NumberResponse Of(Number n, NumberUsage? usage, DateTimeOffset now, (ReputationCounts Counts, TimeSpan Window)? reputation = null)
    {
        var r = reputation?.Counts;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        return new(
            n.Id, n.PhoneNumberSid, n.Pool, n.State.ToWire(), n.Origin?.ToWire(), n.IsoCountry, n.AreaCode, n.Region, n.TimeZone,
            n.VoiceUrl, n.VoiceFallbackUrl, n.StatusCallback, n.InboundFlow, n.ErrorCode, n.ErrorMessage, n.QuarantineUntil, n.CoolingDownUntil,
            reputation is null && n.Reputation is null
                ? null
                : new ReputationResponse(
                    reputation?.Window ?? n.Reputation!.Window, r?.Calls, r?.AnswerRate, r?.ShortCallRate, r?.AverageTalkSeconds, r?.PoolCalls,
                    r?.PoolAnswerRate, n.Reputation),
            usage is null ? null : new UsageResponse(
                usage.ActiveLeases,
                usage.HourStart == hour ? usage.HourCount : 0,
                usage.DayStart == hour.AddHours(-hour.Hour) ? usage.DayCount : 0,
                usage.TotalCalls, usage.LastUsedAt, usage.CoolingUntil > now ? usage.CoolingUntil : null, usage.Leases),
            [.. n.History.Select(s => new StepResponse(s.State.ToWire(), s.Reason, s.By, s.At))]);
    }
}

/// <summary>The body of <c>DELETE /api/numbers/{phoneNumber}</c> and of <c>PUT</c>/<c>DELETE .../suspension</c>: why, and who asks.</summary>
public sealed record ReleaseRequest(string? Reason = null, string? RequestedBy = null);

internal static class NumberEndpoints
{
    private const int MaxListed = 1000;
    private const int MaxBodyBytes = 4 * 1024;

    public static RouteGroupBuilder MapNumberEndpoints(this RouteGroupBuilder numbers)
    {
        numbers.MapGet("/", List).WithName("ListNumbers");
        numbers.MapGet("/{phoneNumber}", Get).WithName("GetNumber");
        numbers.MapDelete("/{phoneNumber}", Release).WithName("ReleaseNumber");
        numbers.MapPut("/{phoneNumber}/suspension", (string phoneNumber, HttpRequest request, NumberReleases steps, IQuerySession session,
            TimeProvider clock, CancellationToken ct) => Step(phoneNumber, request, steps.Suspend, session, clock, ct)).WithName("SuspendNumber");
        numbers.MapDelete("/{phoneNumber}/suspension", (string phoneNumber, HttpRequest request, NumberReleases steps, IQuerySession session,
            TimeProvider clock, CancellationToken ct) => Step(phoneNumber, request, steps.Resume, session, clock, ct)).WithName("ResumeNumber");
        return numbers;
    }

    private static async Task<Results<Ok<IReadOnlyList<NumberResponse>>, ValidationProblem>> List(
        string? pool, string? state, string? areaCode, IQuerySession session, CallerIdLeases leases, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (pool is not null && !Pool.IsValidName(pool))
        {
            return PoolEndpoints.Problem("pool", Pool.NameDescription);
        }

        NumberState? wanted = null;
        if (state is not null)
        {
            if (!NumberWire.TryParse(state, out var parsed))
            {
                return PoolEndpoints.Problem("state", "state is one of " + string.Join(", ", Enum.GetValues<NumberState>().Select(s => s.ToWire())) + ".");
            }

            wanted = parsed;
        }

        if (areaCode is not null && (areaCode.Length != 3 || !areaCode.All(char.IsAsciiDigit)))
        {
            return PoolEndpoints.Problem("areaCode", "areaCode is three digits.");
        }

        var query = session.Query<Number>().AsQueryable();
        if (pool is not null)
        {
            query = query.Where(n => n.Pool == pool);
        }

        if (wanted is { } s)
        {
            query = query.Where(n => n.State == s);
        }

        if (areaCode is not null)
        {
            query = query.Where(n => n.AreaCode == areaCode);
        }

        var found = await query.OrderBy(n => n.Id).Take(MaxListed).ToListAsync(cancellationToken);
        var usage = await leases.Usage([.. found.Select(n => n.Id)], cancellationToken);
        var now = clock.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<NumberResponse>>([.. found.Select(n => NumberResponse.Of(n, usage.GetValueOrDefault(n.Id), now))]);
    }

    private static async Task<Results<Ok<NumberResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string phoneNumber, IQuerySession session, CallerIdLeases leases, CallOutcomes outcomes, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (NumberGeography.Locate(phoneNumber) is null)
        {
            return InvalidNumber();
        }

        if (await session.LoadAsync<Number>(phoneNumber, cancellationToken) is not { } number)
        {
            return NotFound(phoneNumber);
        }

        var usage = await leases.Usage([phoneNumber], cancellationToken);
        var thresholds = (await session.LoadAsync<Pool>(Pool.StreamId(number.Pool), cancellationToken))?.Reputation ?? PoolReputation.Default;
        var counts = await outcomes.Count(phoneNumber, number.Pool, thresholds, cancellationToken);
        return TypedResults.Ok(NumberResponse.Of(number, usage.GetValueOrDefault(phoneNumber), clock.GetUtcNow(), (counts, thresholds.Window)));
    }

    /// <summary>Quarantines an owned number (202); 404 unknown, 409 when it is not owned (provisioning, failed).</summary>
    private static async Task<Results<Accepted<NumberResponse>, ValidationProblem, ProblemHttpResult>> Release(
        string phoneNumber, HttpRequest request, NumberReleases releases, IQuerySession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (NumberGeography.Locate(phoneNumber) is null)
        {
            return InvalidNumber();
        }

        var (body, refused) = await request.ReadJson<ReleaseRequest>(MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (NumberReleases.InvalidText(body!.Reason) || NumberReleases.InvalidText(body.RequestedBy))
        {
            return PoolEndpoints.Problem("reason", "reason and requestedBy are required, 1-500 characters of text.");
        }

        var outcome = await releases.Release(phoneNumber, body.Reason!, body.RequestedBy!, cancellationToken);
        if (outcome is ReleaseOutcome.NotFound)
        {
            return NotFound(phoneNumber);
        }

        var number = (await session.LoadAsync<Number>(phoneNumber, cancellationToken))!;
        return outcome is ReleaseOutcome.NotOwned
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict, title: "Number not owned",
                detail: $"{phoneNumber} is {number.State.ToWire()}: only an owned number can be released.")
            : TypedResults.Accepted($"/api/numbers/{phoneNumber}", NumberResponse.Of(number, null, clock.GetUtcNow()));
    }

    /// <summary>
    /// Suspends or resumes a number (200 with the number, also when it was so already); 404 unknown, 409 when it is not
    /// in selection's reach (provisioning, quarantined, released, failed; or cooling down, for a resume).
    /// </summary>
    private static async Task<Results<Ok<NumberResponse>, ValidationProblem, ProblemHttpResult>> Step(
        string phoneNumber, HttpRequest request, Func<string, string, string, CancellationToken, Task<SuspensionOutcome>> step,
        IQuerySession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (NumberGeography.Locate(phoneNumber) is null)
        {
            return InvalidNumber();
        }

        var (body, refused) = await request.ReadJson<ReleaseRequest>(MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (NumberReleases.InvalidText(body!.Reason) || NumberReleases.InvalidText(body.RequestedBy))
        {
            return PoolEndpoints.Problem("reason", "reason and requestedBy are required, 1-500 characters of text.");
        }

        var outcome = await step(phoneNumber, body.Reason!, body.RequestedBy!, cancellationToken);
        if (outcome is SuspensionOutcome.NotFound)
        {
            return NotFound(phoneNumber);
        }

        var number = (await session.LoadAsync<Number>(phoneNumber, cancellationToken))!;
        return outcome is SuspensionOutcome.NotActive
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict, title: "Number not in service",
                detail: $"{phoneNumber} is {number.State.ToWire()}: only an active, cooling-down (suspend) or suspended (resume) number can be.")
            : TypedResults.Ok(NumberResponse.Of(number, null, clock.GetUtcNow()));
    }

    private static ValidationProblem InvalidNumber() =>
        PoolEndpoints.Problem("phoneNumber", "phoneNumber is a valid number in E.164 form, e.g. +14155550100 (URL-encode the '+' as %2B).");

    private static ProblemHttpResult NotFound(string phoneNumber) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Number not found", detail: $"No pool number {phoneNumber} is known.");
}
