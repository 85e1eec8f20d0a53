namespace VoiceMesh.Contracts.Recordings;

/// <summary>
/// Copy a recording Twilio finished into VoiceMesh's storage, verify it, then delete it at Twilio. Sent by the
/// Recordings service's outbox once the decision to archive is stored; its consumer checks the stream first, so a
/// repeat changes nothing.
/// </summary>
public sealed record ArchiveRecording
{
    public required string RecordingSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
