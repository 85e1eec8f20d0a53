namespace VoiceMesh.Contracts.Recordings;

/// <summary>A recording's media is in VoiceMesh's storage, verified. Published by the Recordings service's outbox (at least once).</summary>
public sealed record RecordingArchived
{
    public required string RecordingSid { get; init; }

    /// <summary>The recorded call; null for a conference recording.</summary>
    public string? CallSid { get; init; }

    public string? ConferenceSid { get; init; }

    /// <summary>The Twilio account (or subaccount: Twilio's tenant) the recording belongs to.</summary>
    public required string AccountSid { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}
