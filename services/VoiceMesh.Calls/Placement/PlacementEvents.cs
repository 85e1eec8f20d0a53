using VoiceMesh.Calls.MachineDetection;

namespace VoiceMesh.Calls.Placement;

/// <summary>A valid PlaceCall was accepted; what Twilio will be asked to do.</summary>
public sealed record PlacementRequested
{
    public required string RequestId { get; init; }
    public required string To { get; init; }
    public required string From { get; init; }

    /// <summary>The pool <see cref="From"/> was leased from, and the lease, when the request named a pool.</summary>
    public string? CallerIdPool { get; init; }

    public Guid? LeaseId { get; init; }
    public string? Twiml { get; init; }
    public string? Url { get; init; }
    public string? Flow { get; init; }
    public int? TimeoutSeconds { get; init; }
    public bool Record { get; init; }
    public string? MachineDetection { get; init; }
    public bool AsyncAmd { get; init; }
    public MachineAction? OnMachine { get; init; }
    public string? MachineMessageTwiml { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public string? Tenant { get; init; }
    public string? Campaign { get; init; }

    /// <summary>
    /// The W3C trace id of the PlaceCall that asked for the call: the placement's Twilio requests and every callback of
    /// the call continue that trace (the callback URLs carry it). Null outside a trace.
    /// </summary>
    public string? TraceId { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }
}

/// <summary>A PlaceCall was refused before anything was dialled.</summary>
public sealed record PlacementRejected(string RequestId, string Field, string Reason, DateTimeOffset RejectedAt);

/// <summary>
/// An attempt is about to ask Twilio to create the call. Stored before the request, so an attempt whose
/// outcome never got recorded (a crash, a lost response) is looked up at Twilio before any retry.
/// <paramref name="DeliveryId"/> names the message delivery that owns the attempt.
/// </summary>
public sealed record PlacementAttemptStarted(string RequestId, int Attempt, DateTimeOffset StartedAt, string DeliveryId);

/// <summary>
/// An attempt ended without a call: Twilio answered with a transient error, or the request never left because the
/// circuit was open. The placement goes on.
/// </summary>
public sealed record PlacementAttemptFailed(string RequestId, int Attempt, int? ErrorCode, int? HttpStatus, string Message);

/// <summary>Twilio created the call (seen in its response, or found afterwards by a look-up).</summary>
public sealed record PlacementSucceeded(string RequestId, string CallSid, int Attempt, bool FoundByLookup, DateTimeOffset PlacedAt);

/// <summary>Twilio refused the call for good.</summary>
public sealed record PlacementFailed(string RequestId, int ErrorCode, string Message, int Attempt, DateTimeOffset FailedAt);

/// <summary>
/// The call ended, so the caller id it leased from a pool is no longer needed (on the call's stream). Published to
/// NumberPool as <c>ReleaseCallerId</c> from the event store; once per call.
/// </summary>
public sealed record CallerIdReleaseRequested(Guid LeaseId, DateTimeOffset RequestedAt);

/// <summary>
/// The placement failed for good, so the caller id leased for it is no longer needed (on the placement's stream; a
/// type of its own, so no call read model is made of a placement's stream). Published to NumberPool as
/// <c>ReleaseCallerId</c> from the event store; once per placement.
/// </summary>
public sealed record PlacementLeaseReleased(Guid LeaseId, DateTimeOffset ReleasedAt);
