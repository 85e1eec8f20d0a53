using VoiceMesh.Calls.Lifecycle;

namespace VoiceMesh.Calls.Flows;

/// <summary>A call was answered by a flow: which one and which version it keeps until it ends.</summary>
public sealed record FlowStarted
{
    public required string CallSid { get; init; }
    public required string FlowId { get; init; }
    public required int Version { get; init; }
    public string? Direction { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }

    /// <summary>The call's status when Twilio asked for the flow (<c>ringing</c> for an incoming call).</summary>
    public required CallStatus CallStatus { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
}

/// <summary>The call entered a step; <see cref="Branch"/> says which way a business-hours step went, or that a menu is replayed.</summary>
public sealed record FlowStepEntered
{
    public required string CallSid { get; init; }
    public required string Step { get; init; }
    public required FlowStepType Type { get; init; }
    public string? Branch { get; init; }
    public required DateTimeOffset EnteredAt { get; init; }
}

/// <summary>What the caller answered a menu with, and what it chose (null when nothing matched).</summary>
public sealed record CallerInputReceived
{
    public required string CallSid { get; init; }
    public required string Step { get; init; }
    public string? Digits { get; init; }
    public string? Speech { get; init; }
    public double? Confidence { get; init; }
    public required MenuOutcome Outcome { get; init; }
    public string? Chosen { get; init; }
    public required int Attempt { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}

public enum MenuOutcome
{
    Matched,
    NoInput,
    Invalid,
    LowConfidence,
}

/// <summary>A forward (or a conference) the flow dialled ended, with Twilio's <c>DialCallStatus</c>.</summary>
public sealed record DialEnded
{
    public required string CallSid { get; init; }
    public required string Step { get; init; }
    public required DialStatus Status { get; init; }
    public string? DialCallSid { get; init; }
    public int? DurationSeconds { get; init; }
    public required DateTimeOffset EndedAt { get; init; }
}

/// <summary>The caller was seen waiting in a queue for the first time (its first wait-URL request).</summary>
public sealed record QueueJoined
{
    public required string CallSid { get; init; }
    public required string Step { get; init; }
    public required string Queue { get; init; }
    public string? QueueSid { get; init; }
    public required int Position { get; init; }
    public required int QueueTimeSeconds { get; init; }
    public required DateTimeOffset ReportedAt { get; init; }
}

/// <summary>Twilio reported a new position for a waiting caller.</summary>
public sealed record QueuePositionReported
{
    public required string CallSid { get; init; }
    public required int Position { get; init; }
    public required int QueueTimeSeconds { get; init; }
    public required DateTimeOffset ReportedAt { get; init; }
}

/// <summary>The caller left a queue, with Twilio's <c>QueueResult</c>.</summary>
public sealed record QueueLeft
{
    public required string CallSid { get; init; }
    public required string Step { get; init; }
    public required string Queue { get; init; }
    public required QueueResult Result { get; init; }
    public int? QueueTimeSeconds { get; init; }
    public required DateTimeOffset LeftAt { get; init; }
}

/// <summary>The caller left a message (or hung up without one: <see cref="RecordingSid"/> null).</summary>
public sealed record VoicemailRecorded
{
    public required string CallSid { get; init; }
    public required string Step { get; init; }
    public string? RecordingSid { get; init; }
    public string? RecordingUrl { get; init; }
    public int? DurationSeconds { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
}
