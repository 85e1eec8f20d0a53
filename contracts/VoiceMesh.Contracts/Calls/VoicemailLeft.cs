namespace VoiceMesh.Contracts.Calls;

/// <summary>A caller left a message in a flow's voicemail step: the recording for the recordings pipeline to archive.</summary>
public sealed record VoicemailLeft
{
    public required string CallSid { get; init; }
    public required string RecordingSid { get; init; }

    /// <summary>Twilio's media URL, without extension (REFERENCE §4.2).</summary>
    public string? RecordingUrl { get; init; }

    public int? DurationSeconds { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
