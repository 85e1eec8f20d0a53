using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Retention;

/// <summary>Why a recording is purged.</summary>
public enum PurgeReason
{
    /// <summary>Its retention ran out (the purge job).</summary>
    Retention,

    /// <summary>Someone asked for it to be erased (<c>DELETE /api/recordings/{sid}</c>).</summary>
    Erasure,
}

/// <summary>The one conversion of <see cref="PurgeReason"/> to the read model's and the contracts' strings.</summary>
public static class PurgeReasonWire
{
    public static string ToWire(this PurgeReason reason) => reason switch
    {
        PurgeReason.Retention => "retention",
        PurgeReason.Erasure => "erasure",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static bool TryParse(string? wire, out PurgeReason reason) => WireValues.TryParse(wire, ToWire, out reason);
}

/// <summary>The recording's tags were set (they replace the previous ones).</summary>
public sealed record RecordingTagged(string RecordingSid, IReadOnlyList<string> Tags, DateTimeOffset TaggedAt);

/// <summary>
/// How long the recording is kept: the policy that matched it and when its retention runs out (null: never). Stored
/// with <c>RecordingArchived</c>, and again when new tags make another policy match.
/// </summary>
public sealed record RetentionScheduled(string RecordingSid, string Policy, DateTimeOffset? PurgeAfter, DateTimeOffset ScheduledAt);

/// <summary>The recording is under legal hold: never purged nor erased until the hold is cleared.</summary>
public sealed record LegalHoldSet(string RecordingSid, string Reason, string? CaseReference, DateTimeOffset SetAt);

/// <summary>The legal hold was lifted; the recording's retention applies again.</summary>
public sealed record LegalHoldCleared(string RecordingSid, DateTimeOffset ClearedAt);

/// <summary>
/// The recording is to be purged. Performed from the event store: the outbox forwards it as PurgeRecording, so a crash
/// after the commit never loses it. Stored once per recording.
/// </summary>
public sealed record PurgeRequested(string RecordingSid, PurgeReason Reason, DateTimeOffset RequestedAt);

/// <summary>The recording's stored copy is deleted (if there was one) and Twilio no longer holds it.</summary>
public sealed record Purged
{
    public required string RecordingSid { get; init; }
    public required PurgeReason Reason { get; init; }

    /// <summary>Whose recording it was, so the outbox can tell other services.</summary>
    public required string AccountSid { get; init; }

    public string? CallSid { get; init; }
    public string? ConferenceSid { get; init; }

    /// <summary>The stored copy's key; null when the recording was erased before a copy was made.</summary>
    public string? BlobKey { get; init; }

    /// <summary>Twilio no longer held the recording (deleted after archiving, or gone already).</summary>
    public required bool AlreadyGoneAtTwilio { get; init; }

    public required DateTimeOffset PurgedAt { get; init; }
}
