namespace VoiceMesh.Contracts.Recordings;

/// <summary>Twilio's <c>RecordingStatusCallback</c> for one recording (REFERENCE §4.1).</summary>
public sealed record RecordingCallbackReceived
{
    public required string RecordingSid { get; init; }

    /// <summary>The recorded call; null for a conference recording (see <see cref="ConferenceSid"/>).</summary>
    public string? CallSid { get; init; }

    public string? ConferenceSid { get; init; }
    public required string AccountSid { get; init; }

    /// <summary>in-progress, completed or absent (and the REST statuses Twilio may add).</summary>
    public required string RecordingStatus { get; init; }

    /// <summary>Twilio's media URL, without extension.</summary>
    public string? RecordingUrl { get; init; }

    public int? RecordingDurationSeconds { get; init; }
    public int? RecordingChannels { get; init; }
    public string? RecordingSource { get; init; }

    /// <summary>0 on success.</summary>
    public int? ErrorCode { get; init; }

    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required string IdempotencyKey { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}
