using System.Collections.Immutable;
using System.Linq.Expressions;
using VoiceMesh.Recordings.Retention;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Lifecycle;

/// <summary>What the archive consumer does next for a recording.</summary>
public enum ArchiveStep
{
    /// <summary>Nothing: not requested, done, or refused for good.</summary>
    None,

    /// <summary>Download, verify and store the media.</summary>
    Archive,

    /// <summary>The copy is stored; delete the recording at Twilio.</summary>
    DeleteAtTwilio,

    /// <summary>A purge was requested (an erasure, perhaps before any copy was made): delete what is stored and Twilio's copy, store nothing.</summary>
    Purge,
}

/// <summary>
/// One recording's stream (keyed by RecordingSid) and the document its read model is served from. Every decision is
/// pure and answers a repeat with nothing, so redelivered callbacks and commands change nothing.
/// </summary>
public sealed record Recording
{
    public required string Id { get; init; }
    public string? CallSid { get; init; }
    public string? ConferenceSid { get; init; }
    public required string AccountSid { get; init; }
    public required TwilioRecordingStatus TwilioStatus { get; init; }
    public string? Url { get; init; }
    public int? DurationSeconds { get; init; }
    public int? Channels { get; init; }
    public string? Source { get; init; }
    public int? ErrorCode { get; init; }
    public DateTimeOffset? ArchiveRequestedAt { get; init; }
    public RecordingArchived? Archive { get; init; }
    public string? FailureReason { get; init; }
    public int FailedAttempts { get; init; }
    public bool FailedPermanently { get; init; }
    public DateTimeOffset? DeletedAtTwilioAt { get; init; }

    /// <summary>Labels for retention policies, set through the API.</summary>
    public ImmutableList<string> Tags { get; init; } = [];

    public RetentionScheduled? Retention { get; init; }
    public LegalHoldSet? LegalHold { get; init; }
    public PurgeRequested? PurgeRequest { get; init; }
    public Purged? Purge { get; init; }

    /// <summary>
    /// When the purge job is to purge the recording: its retention's end while it is neither held nor being purged,
    /// else null. Duplicated into an indexed column, so the job's query never reads the documents' JSON.
    /// </summary>
    public DateTimeOffset? PurgeDueAt { get; init; }

    /// <summary>The message ids of the applied reports.</summary>
    public ImmutableList<string> MessageIds { get; init; } = [];

    /// <summary>
    /// A report changes the recording unless the stream holds its message already or it names another account than
    /// the recording's (<see cref="BelongsToAnotherAccount"/>); the first <c>completed</c> report also decides to archive.
    /// </summary>
    public static Decision Decide(Recording? recording, RecordingReported report, DateTimeOffset now)
    {
        if (recording?.MessageIds.Contains(report.MessageId) == true || recording?.BelongsToAnotherAccount(report.AccountSid) == true)
        {
            return Decision.None;
        }

        return report.Status == TwilioRecordingStatus.Completed && recording?.ArchiveRequestedAt is null
            ? new object[] { report, new RecordingArchiveRequested(report.RecordingSid, now) }
            : new object[] { report };
    }

    /// <summary>
    /// Whether a callback naming <paramref name="accountSid"/> comes from another account than the recording's first
    /// report named: a valid signature of another account the gateway serves, which must not change the recording.
    /// </summary>
    public bool BelongsToAnotherAccount(string accountSid) => !string.Equals(AccountSid, accountSid, StringComparison.Ordinal);

    /// <summary>A recording is archived once; a second copy (a repeated command) records nothing.</summary>
    public static Decision Decide(Recording? recording, RecordingArchived archived) =>
        recording is null || recording.Archive is not null ? Decision.None : new object[] { archived };

    /// <summary>A failure counts only while the recording is neither archived, refused for good, nor being purged.</summary>
    public static Decision Decide(Recording? recording, RecordingArchiveFailed failed) =>
        recording is null || recording.Archive is not null || recording.FailedPermanently || recording.PurgeRequest is not null
            ? Decision.None
            : new object[] { failed };

    /// <summary>Deletion at Twilio is recorded once, and only after the copy is stored.</summary>
    public static Decision Decide(Recording? recording, RecordingDeletedAtTwilio deleted) =>
        recording?.Archive is null || recording.DeletedAtTwilioAt is not null ? Decision.None : new object[] { deleted };

    /// <summary>What an ArchiveRecording command does now; a repeat after success does nothing.</summary>
    public static ArchiveStep NextStep(Recording? recording, bool deleteAtTwilio)
    {
        if (recording?.PurgeRequest is not null)
        {
            return recording.Purge is null && recording.TwilioStatus.IsFinal() ? ArchiveStep.Purge : ArchiveStep.None;
        }

        if (recording?.ArchiveRequestedAt is null || recording.FailedPermanently)
        {
            return ArchiveStep.None;
        }

        if (recording.Archive is null)
        {
            return ArchiveStep.Archive;
        }

        return deleteAtTwilio && recording.DeletedAtTwilioAt is null ? ArchiveStep.DeleteAtTwilio : ArchiveStep.None;
    }

    /// <summary>The read model's status: purged is final, archived beats the rest; a failure shows until a retry succeeds.</summary>
    public ArchiveStatus Status() =>
        Purge is not null ? ArchiveStatus.Purged
        : Archive is not null ? ArchiveStatus.Archived
        : FailureReason is not null || TwilioStatus is TwilioRecordingStatus.Absent or TwilioRecordingStatus.Failed ? ArchiveStatus.Failed
        : ArchiveRequestedAt is not null ? ArchiveStatus.Archiving
        : ArchiveStatus.Reported;

    /// <summary>
    /// <see cref="Status"/> as a query (for <c>GET /api/recordings?status=</c>): the recordings whose read-model status
    /// is <paramref name="status"/>, the same rules in the same order.
    /// </summary>
    public static Expression<Func<Recording, bool>> WithStatus(ArchiveStatus status) => status switch
    {
        ArchiveStatus.Purged => r => r.Purge != null,
        ArchiveStatus.Archived => r => r.Purge == null && r.Archive != null,
        ArchiveStatus.Failed => r => r.Purge == null && r.Archive == null
            && (r.FailureReason != null || r.TwilioStatus == TwilioRecordingStatus.Absent || r.TwilioStatus == TwilioRecordingStatus.Failed),
        ArchiveStatus.Archiving => r => r.Purge == null && r.Archive == null && r.FailureReason == null
            && r.TwilioStatus != TwilioRecordingStatus.Absent && r.TwilioStatus != TwilioRecordingStatus.Failed && r.ArchiveRequestedAt != null,
        ArchiveStatus.Reported => r => r.Purge == null && r.Archive == null && r.FailureReason == null
            && r.TwilioStatus != TwilioRecordingStatus.Absent && r.TwilioStatus != TwilioRecordingStatus.Failed && r.ArchiveRequestedAt == null,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static Recording Create(RecordingReported e) =>
        new Recording { Id = e.RecordingSid, AccountSid = e.AccountSid, TwilioStatus = e.Status }.Apply(e);

    /// <summary>Twilio's last word is final: a later <c>in-progress</c> never undoes <c>completed</c>.</summary>
    public Recording Apply(RecordingReported e) => this with
    {
        CallSid = CallSid ?? e.CallSid,
        ConferenceSid = ConferenceSid ?? e.ConferenceSid,
        TwilioStatus = TwilioStatus.IsFinal() && !e.Status.IsFinal() ? TwilioStatus : e.Status,
        Url = e.Url ?? Url,
        DurationSeconds = e.DurationSeconds ?? DurationSeconds,
        Channels = e.Channels ?? Channels,
        Source = e.Source ?? Source,
        ErrorCode = e.ErrorCode ?? ErrorCode,
        MessageIds = MessageIds.Add(e.MessageId),
    };

    public Recording Apply(RecordingArchiveRequested e) => this with { ArchiveRequestedAt = e.RequestedAt };

    public Recording Apply(RecordingArchived e) => this with { Archive = e, FailureReason = null };

    public Recording Apply(RecordingArchiveFailed e) => this with
    {
        FailureReason = e.Reason,
        FailedAttempts = FailedAttempts + 1,
        FailedPermanently = e.Permanent,
    };

    public Recording Apply(RecordingDeletedAtTwilio e) => this with { DeletedAtTwilioAt = e.DeletedAt };

    public Recording Apply(RecordingTagged e) => this with { Tags = [.. e.Tags] };

    public Recording Apply(RetentionScheduled e) => (this with { Retention = e }).Due();

    public Recording Apply(LegalHoldSet e) => (this with { LegalHold = e }).Due();

    public Recording Apply(LegalHoldCleared e) => (this with { LegalHold = null }).Due();

    public Recording Apply(PurgeRequested e) => (this with { PurgeRequest = e }).Due();

    public Recording Apply(Purged e) => (this with { Purge = e, DeletedAtTwilioAt = DeletedAtTwilioAt ?? e.PurgedAt }).Due();

    private Recording Due() => this with { PurgeDueAt = LegalHold is null && PurgeRequest is null ? Retention?.PurgeAfter : null };
}
