namespace VoiceMesh.Contracts.Calls;

/// <summary>
/// Connects the caller who has waited longest in <see cref="Queue"/> to an agent: <see cref="To"/> is an E.164
/// number, a <c>sip:</c> URI or <c>client:identity</c>. <see cref="RequestId"/> makes it idempotent: one caller per request.
/// </summary>
public sealed record DequeueCall
{
    public required string RequestId { get; init; }
    public required string Queue { get; init; }
    public required string To { get; init; }

    /// <summary>E.164 caller id the agent sees; null keeps the caller's.</summary>
    public string? CallerId { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A DequeueCall could not be served: invalid (<see cref="Field"/> names what) or nobody is waiting.</summary>
public sealed record DequeueCallRejected
{
    public required string RequestId { get; init; }
    public required string Queue { get; init; }
    public required string Field { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>
/// Takes one waiting caller out of a Twilio queue and connects it to <see cref="To"/> (Twilio's queue member
/// update). Sent by the Calls service for each dequeue it decided; a repeat for a caller no longer waiting changes nothing.
/// </summary>
public sealed record BridgeQueuedCall
{
    public required string RequestId { get; init; }
    public required string Queue { get; init; }
    public required string QueueSid { get; init; }
    public required string CallSid { get; init; }
    public required string To { get; init; }
    public string? CallerId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
