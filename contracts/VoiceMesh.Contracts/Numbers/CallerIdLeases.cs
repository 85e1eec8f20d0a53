namespace VoiceMesh.Contracts.Numbers;

/// <summary>
/// Request (MassTransit request/response): a caller id from <see cref="Pool"/> for a call to
/// <see cref="Destination"/>. Answered with <see cref="CallerIdAcquired"/> or <see cref="CallerIdUnavailable"/>.
/// </summary>
public sealed record AcquireCallerId
{
    public required string RequestId { get; init; }
    public required string Pool { get; init; }

    /// <summary>E.164 number to be called.</summary>
    public required string Destination { get; init; }

    /// <summary>The call the caller id is for, when known; its terminal status ends the lease.</summary>
    public string? CallSid { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A number is leased to the caller until <see cref="ReleaseCallerId"/> or <see cref="ExpiresAt"/>.</summary>
public sealed record CallerIdAcquired
{
    public required string RequestId { get; init; }
    public required Guid LeaseId { get; init; }

    /// <summary>E.164 caller id.</summary>
    public required string CallerId { get; init; }

    /// <summary>How local the caller id is to the destination: a <see cref="CallerIdMatches"/> value.</summary>
    public required string Match { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>No caller id was leased; <see cref="Reason"/> is a <see cref="CallerIdUnavailableReasons"/> value.</summary>
public sealed record CallerIdUnavailable
{
    public required string RequestId { get; init; }
    public required string Reason { get; init; }
    public required string Detail { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>End a caller-id lease (the call is over). Releasing an ended or unknown lease changes nothing.</summary>
public sealed record ReleaseCallerId
{
    public required Guid LeaseId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>The wire strings of <see cref="CallerIdAcquired.Match"/>, best first.</summary>
public static class CallerIdMatches
{
    public const string Exchange = "exchange";
    public const string AreaCode = "area-code";
    public const string Region = "region";
    public const string Country = "country";
    public const string Any = "any";
}

/// <summary>The wire strings of <see cref="CallerIdUnavailable.Reason"/>.</summary>
public static class CallerIdUnavailableReasons
{
    public const string PoolExhausted = "pool-exhausted";
    public const string UnknownPool = "unknown-pool";
    public const string InvalidDestination = "invalid-destination";
}
