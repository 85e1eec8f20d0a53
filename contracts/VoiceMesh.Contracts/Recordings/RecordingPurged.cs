namespace VoiceMesh.Contracts.Recordings;

/// <summary>
/// A recording is gone for good: VoiceMesh's copy deleted and Twilio no longer holding it. Published by the Recordings
/// service's outbox (at least once).
/// </summary>
public sealed record RecordingPurged
{
    public required string RecordingSid { get; init; }

    /// <summary>The recorded call; null for a conference recording.</summary>
    public string? CallSid { get; init; }

    public string? ConferenceSid { get; init; }
    public required string AccountSid { get; init; }

    /// <summary><c>retention</c> (its retention ran out) or <c>erasure</c> (an erasure request).</summary>
    public required string Reason { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}
