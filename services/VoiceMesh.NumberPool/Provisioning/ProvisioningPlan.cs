using System.Collections.Immutable;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>Numbers a search could not supply: where (an area code or region), how many, and why.</summary>
public sealed record Shortfall(string Where, int Missing, string Reason);

/// <summary>
/// The decision of a ProvisionNumbers request: which searched numbers to buy for the pool (each bought from the event
/// store: the outbox sends one PurchaseNumber per number) and what the searches could not supply.
/// </summary>
public sealed record ProvisioningPlanned(
    string RequestId, string Pool, int Requested, ImmutableList<string> Chosen, ImmutableList<Shortfall> Shortfalls, string RequestedBy,
    DateTimeOffset PlannedAt);

/// <summary>An ImportNumbers request: the numbers adopted, and those the account does not own.</summary>
public sealed record NumbersImported(
    string RequestId, string Pool, ImmutableList<string> Adopted, ImmutableList<string> NotOwned, string RequestedBy, DateTimeOffset ImportedAt);

/// <summary>A provisioning or import request refused before anything was searched or bought; <see cref="Field"/> names what is wrong.</summary>
public sealed record ProvisioningRejected(string RequestId, string Field, string Reason, DateTimeOffset RejectedAt);

/// <summary>What became of a provisioning or import request.</summary>
public enum PlanStatus
{
    Planned,
    Imported,
    Rejected,
}

/// <summary>One provisioning or import request's stream (<c>provisioning:{requestId}</c>) and read model. Decided once.</summary>
public sealed record ProvisioningPlan
{
    public required string Id { get; init; }
    public required string RequestId { get; init; }
    public required PlanStatus Status { get; init; }
    public string? Pool { get; init; }
    public int Requested { get; init; }
    public ImmutableList<string> Numbers { get; init; } = [];
    public ImmutableList<Shortfall> Shortfalls { get; init; } = [];
    public ImmutableList<string> NotOwned { get; init; } = [];
    public string? RejectedField { get; init; }
    public string? RejectedReason { get; init; }
    public string? RequestedBy { get; init; }
    public required DateTimeOffset At { get; init; }

    public static string StreamId(string requestId) => $"provisioning:{requestId}";

    public static ProvisioningPlan Create(ProvisioningPlanned e) => new()
    {
        Id = StreamId(e.RequestId), RequestId = e.RequestId, Status = PlanStatus.Planned, Pool = e.Pool, Requested = e.Requested,
        Numbers = e.Chosen, Shortfalls = e.Shortfalls, RequestedBy = e.RequestedBy, At = e.PlannedAt,
    };

    public static ProvisioningPlan Create(NumbersImported e) => new()
    {
        Id = StreamId(e.RequestId), RequestId = e.RequestId, Status = PlanStatus.Imported, Pool = e.Pool,
        Requested = e.Adopted.Count + e.NotOwned.Count, Numbers = e.Adopted, NotOwned = e.NotOwned, RequestedBy = e.RequestedBy, At = e.ImportedAt,
    };

    public static ProvisioningPlan Create(ProvisioningRejected e) => new()
    {
        Id = StreamId(e.RequestId), RequestId = e.RequestId, Status = PlanStatus.Rejected, RejectedField = e.Field, RejectedReason = e.Reason,
        At = e.RejectedAt,
    };

    /// <summary>A request is decided once: a repeat of its id appends nothing.</summary>
    public static Decision Decide(ProvisioningPlan? plan, object outcome) => plan is null ? new[] { outcome } : Decision.None;
}

/// <summary>The one conversion of <see cref="PlanStatus"/> to the read model's strings.</summary>
public static class PlanStatusWire
{
    public static string ToWire(this PlanStatus status) => status switch
    {
        PlanStatus.Planned => "planned",
        PlanStatus.Imported => "imported",
        PlanStatus.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
