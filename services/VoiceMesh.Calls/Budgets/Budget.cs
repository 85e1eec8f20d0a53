using System.Collections.Immutable;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Budgets;

/// <summary>
/// What the budget's admission is decided on, read for the period <see cref="Window"/>: what the scope's calls placed in
/// it cost (<see cref="Spent"/>, priced in the budget's currency), how many of them are not priced yet
/// (<see cref="Unpriced"/>), and which pending reservations are settled (their placement ended without a call, or their
/// call is recorded and so counted among the calls).
/// </summary>
public sealed record BudgetUsage(BudgetWindow Window, decimal Spent, int Unpriced, IReadOnlySet<string> Settled);

/// <summary>Where a budget stands in the period <see cref="Window"/>.</summary>
public sealed record BudgetStanding(
    BudgetWindow Window, decimal Spent, int CallsInFlight, decimal InFlightEstimate, decimal Remaining, bool Exhausted);

/// <summary>
/// A budget per tenant or campaign tag; the stream id is <c>budget:{scope}:{key}</c>. Admissions of PlaceCalls of the
/// scope are decided here, on the stream's version just read, so concurrent placements of one scope are serialized by
/// optimistic concurrency: each admission reserves its estimate, and the next sees it. Decisions are pure functions of
/// the state, the usage read and the time.
/// </summary>
public sealed record Budget
{
    public required string Id { get; init; }
    public required BudgetScope Scope { get; init; }
    public required string Key { get; init; }
    public decimal Amount { get; init; }
    public string Currency { get; init; } = "";
    public BudgetPeriod Period { get; init; }
    public decimal? EstimatePerCall { get; init; }
    public bool Removed { get; init; }

    /// <summary>Admitted requests not yet known to be settled: each counts as a call in flight.</summary>
    public ImmutableList<string> Pending { get; init; } = [];

    /// <summary>The start of the period the budget was last reached in (<see cref="BudgetLimitReached"/>).</summary>
    public DateTimeOffset? ReachedPeriodStart { get; init; }

    public DateTimeOffset? SetAt { get; init; }

    public static string StreamId(BudgetScope scope, string key) => $"budget:{scope.ToWire()}:{key}";

    /// <summary>Setting a budget changes it unless it holds those values already.</summary>
    public static Decision Set(Budget? budget, BudgetSet set) =>
        budget is { Removed: false } b && b.Amount == set.Amount && b.Currency == set.Currency && b.Period == set.Period
            && b.EstimatePerCall == set.EstimatePerCall
            ? Decision.None
            : new object[] { set };

    /// <summary>Removing a budget that is not there changes nothing.</summary>
    public static Decision Remove(Budget? budget, DateTimeOffset now) =>
        budget is { Removed: false } ? new object[] { new BudgetRemoved(now) } : Decision.None;

    /// <summary>
    /// Spent plus the calls in flight (the scope's calls placed in the period and not priced, and admitted requests not
    /// settled) at the per-call estimate. Exhausted once that reaches the amount.
    /// </summary>
    public BudgetStanding Standing(BudgetUsage usage, decimal defaultEstimate)
    {
        var inFlight = usage.Unpriced + Pending.Count(r => !usage.Settled.Contains(r));
        var estimate = inFlight * (EstimatePerCall ?? defaultEstimate);
        var committed = usage.Spent + estimate;
        return new BudgetStanding(usage.Window, usage.Spent, inFlight, estimate, Math.Max(0, Amount - committed), committed >= Amount);
    }

    /// <summary>
    /// Admits the PlaceCall <paramref name="requestId"/> of the scope, reserving its estimate, unless the budget is
    /// exhausted: then the request is refused (the standing says why) and, the first time in the period, the budget
    /// records that it was reached. A request admitted already is admitted again without a change; no budget (or a
    /// removed one) admits everything.
    /// </summary>
    public static (Decision Decision, BudgetStanding? Refused) Admit(
        Budget? budget, string requestId, BudgetUsage usage, DateTimeOffset now, decimal defaultEstimate)
    {
        if (budget is null or { Removed: true } || budget.Pending.Contains(requestId))
        {
            return (Decision.None, null);
        }

        var standing = budget.Standing(usage, defaultEstimate);
        if (!standing.Exhausted)
        {
            return (new object[] { new BudgetReserved(requestId, [.. budget.Pending.Where(usage.Settled.Contains)], now) }, null);
        }

        if (budget.ReachedPeriodStart == standing.Window.Start)
        {
            return (Decision.None, standing);
        }

        var reached = new BudgetLimitReached
        {
            Scope = budget.Scope,
            Key = budget.Key,
            Amount = budget.Amount,
            Currency = budget.Currency,
            Period = budget.Period,
            PeriodStart = standing.Window.Start,
            PeriodEnd = standing.Window.End,
            Spent = standing.Spent,
            CallsInFlight = standing.CallsInFlight,
            ReachedAt = now,
        };
        return (new object[] { reached }, standing);
    }

    public static Budget Create(BudgetSet e) => new Budget { Id = StreamId(e.Scope, e.Key), Scope = e.Scope, Key = e.Key }.Apply(e);

    public Budget Apply(BudgetSet e) => this with
    {
        Amount = e.Amount,
        Currency = e.Currency,
        Period = e.Period,
        EstimatePerCall = e.EstimatePerCall,
        Removed = false,
        ReachedPeriodStart = null,
        SetAt = e.SetAt,
    };

    public Budget Apply(BudgetRemoved e) => this with { Removed = true, Pending = [], ReachedPeriodStart = null, SetAt = e.RemovedAt };

    public Budget Apply(BudgetReserved e) => this with { Pending = Pending.RemoveAll(e.Released.Contains).Add(e.RequestId) };

    public Budget Apply(BudgetLimitReached e) => this with { ReachedPeriodStart = e.PeriodStart };
}
