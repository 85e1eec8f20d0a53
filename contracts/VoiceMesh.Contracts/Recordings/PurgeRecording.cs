namespace VoiceMesh.Contracts.Recordings;

/// <summary>
/// Delete a recording's archived copy (and Twilio's, if Twilio still holds it): its retention ran out or an erasure was
/// requested. Sent by the Recordings service's outbox once the decision to purge is stored; its consumer reads the
/// stream first, so a repeat changes nothing.
/// </summary>
public sealed record PurgeRecording
{
    public required string RecordingSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
