namespace VoiceMesh.NumberPool.Leasing;

/// <summary>
/// A caller-id lease began. Appended to the number's lease ledger (<c>{e164}/leases</c>) in the transaction that took
/// the slot, with <see cref="ActiveLeases"/> the number's count including this one, so replaying the ledger proves
/// the limits held.
/// </summary>
public sealed record CallerIdLeased(
    Guid LeaseId, string PhoneNumber, string Pool, string Match, string? CallSid, int ActiveLeases, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);

/// <summary>A lease ended: released by its holder, or expired unreleased. <see cref="ActiveLeases"/> is the count after.</summary>
public sealed record CallerIdLeaseEnded(Guid LeaseId, string PhoneNumber, LeaseEnd Reason, int ActiveLeases, DateTimeOffset EndedAt);

/// <summary>Why a lease ended.</summary>
public enum LeaseEnd
{
    Released,
    Expired,
}

/// <summary>How local a chosen caller id is to the destination, best first (the rank the selection orders by).</summary>
public enum LocalMatch
{
    Exchange,
    AreaCode,
    Region,
    Country,
    Any,
}

/// <summary>The one conversion of <see cref="LocalMatch"/> to the contract's strings.</summary>
public static class LocalMatchWire
{
    public static string ToWire(this LocalMatch match) => match switch
    {
        LocalMatch.Exchange => Contracts.Numbers.CallerIdMatches.Exchange,
        LocalMatch.AreaCode => Contracts.Numbers.CallerIdMatches.AreaCode,
        LocalMatch.Region => Contracts.Numbers.CallerIdMatches.Region,
        LocalMatch.Country => Contracts.Numbers.CallerIdMatches.Country,
        LocalMatch.Any => Contracts.Numbers.CallerIdMatches.Any,
        _ => throw new ArgumentOutOfRangeException(nameof(match), match, null),
    };
}

/// <summary>Why no caller id was leased.</summary>
public enum Unavailability
{
    PoolExhausted,
    UnknownPool,
    InvalidDestination,
}

/// <summary>The one conversion of <see cref="Unavailability"/> to the contract's strings.</summary>
public static class UnavailabilityWire
{
    public static string ToWire(this Unavailability reason) => reason switch
    {
        Unavailability.PoolExhausted => Contracts.Numbers.CallerIdUnavailableReasons.PoolExhausted,
        Unavailability.UnknownPool => Contracts.Numbers.CallerIdUnavailableReasons.UnknownPool,
        Unavailability.InvalidDestination => Contracts.Numbers.CallerIdUnavailableReasons.InvalidDestination,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
