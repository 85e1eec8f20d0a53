namespace VoiceMesh.Contracts.Calls;

/// <summary>
/// A tenant's or campaign's budget is spent or committed for its period: PlaceCalls of that scope are rejected
/// (<c>BudgetExhausted</c>) until <see cref="PeriodEnd"/>. Published once per budget and period.
/// </summary>
public sealed record BudgetExhausted
{
    /// <summary><c>tenant</c> or <c>campaign</c>.</summary>
    public required string Scope { get; init; }

    /// <summary>The tenant or campaign tag.</summary>
    public required string Key { get; init; }

    public required decimal Amount { get; init; }

    /// <summary>ISO 4217, e.g. USD.</summary>
    public required string Currency { get; init; }

    /// <summary><c>day</c> or <c>month</c> (UTC).</summary>
    public required string Period { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }
    public required DateTimeOffset PeriodEnd { get; init; }

    /// <summary>What Twilio charged for the scope's calls placed in the period.</summary>
    public required decimal Spent { get; init; }

    /// <summary>The scope's calls placed in the period and not priced yet (each counted at the per-call estimate).</summary>
    public required int CallsInFlight { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}
