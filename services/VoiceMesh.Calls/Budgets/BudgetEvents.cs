namespace VoiceMesh.Calls.Budgets;

/// <summary>A budget was set (or changed): <see cref="Amount"/> in <see cref="Currency"/> per UTC <see cref="Period"/>.</summary>
public sealed record BudgetSet
{
    public required BudgetScope Scope { get; init; }
    public required string Key { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required BudgetPeriod Period { get; init; }

    /// <summary>What a call in flight is counted at, in <see cref="Currency"/>; null: <c>Calls:Budgets:InFlightEstimate</c>.</summary>
    public decimal? EstimatePerCall { get; init; }

    public required DateTimeOffset SetAt { get; init; }
}

/// <summary>The budget was removed: its scope's placements are no longer limited.</summary>
public sealed record BudgetRemoved(DateTimeOffset RemovedAt);

/// <summary>
/// A PlaceCall of the scope was admitted: its estimate is reserved until its call is recorded (then the call counts) or
/// its placement ends without one. <see cref="Released"/> are earlier reservations found settled at this admission.
/// </summary>
public sealed record BudgetReserved(string RequestId, IReadOnlyList<string> Released, DateTimeOffset ReservedAt);

/// <summary>The budget was reached in the period starting <see cref="PeriodStart"/>; once per period. Leaves as <c>BudgetExhausted</c>.</summary>
public sealed record BudgetLimitReached
{
    public required BudgetScope Scope { get; init; }
    public required string Key { get; init; }
    public required decimal Amount { get; init; }
    public required string Currency { get; init; }
    public required BudgetPeriod Period { get; init; }
    public required DateTimeOffset PeriodStart { get; init; }
    public required DateTimeOffset PeriodEnd { get; init; }
    public required decimal Spent { get; init; }
    public required int CallsInFlight { get; init; }
    public required DateTimeOffset ReachedAt { get; init; }
}
