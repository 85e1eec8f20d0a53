namespace VoiceMesh.Recordings.Lifecycle;

/// <summary>Twilio reported the recording (its status callback). One per accepted, distinct callback.</summary>
public sealed record RecordingReported
{
    public required string RecordingSid { get; init; }
    public string? CallSid { get; init; }
    public string? ConferenceSid { get; init; }
    public required string AccountSid { get; init; }
    public required TwilioRecordingStatus Status { get; init; }

    /// <summary>Twilio's media URL, without extension.</summary>
    public string? Url { get; init; }

    public int? DurationSeconds { get; init; }
    public int? Channels { get; init; }
    public string? Source { get; init; }
    public int? ErrorCode { get; init; }

    /// <summary>The message id the callback arrived with; a second callback with the same id is a duplicate.</summary>
    public required string MessageId { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>
/// The recording is to be archived. Stored with the <c>completed</c> report that decided it and performed from the
/// event store (the outbox forwards it as ArchiveRecording), so a crash after the commit never loses it.
/// </summary>
public sealed record RecordingArchiveRequested(string RecordingSid, DateTimeOffset RequestedAt);

/// <summary>The recording's media is stored, verified (RIFF/WAVE, every declared byte) and hashed while it streamed.</summary>
public sealed record RecordingArchived
{
    public required string RecordingSid { get; init; }

    /// <summary>The recorded call (or conference), so the outbox can tell other services whose recording it is.</summary>
    public string? CallSid { get; init; }

    public string? ConferenceSid { get; init; }
    public string? AccountSid { get; init; }
    public required string BlobKey { get; init; }
    public required Uri BlobUri { get; init; }
    public required long SizeBytes { get; init; }

    /// <summary>SHA-256 of the stored bytes, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    public required string ContentType { get; init; }
    public int? DurationSeconds { get; init; }
    public int? Channels { get; init; }
    public required DateTimeOffset ArchivedAt { get; init; }
}

/// <summary>
/// An archive attempt failed. <see cref="Permanent"/> failures (a media URL off Twilio's hosts, no URL at all) are
/// never retried; the others (size mismatch, not audio, an error answer) are retried by the endpoint's policy.
/// </summary>
public sealed record RecordingArchiveFailed(string RecordingSid, string Reason, int Attempt, bool Permanent, DateTimeOffset FailedAt);

/// <summary>Twilio no longer holds the recording: deleted after it was archived, or found gone already.</summary>
public sealed record RecordingDeletedAtTwilio(string RecordingSid, bool AlreadyGone, DateTimeOffset DeletedAt);
