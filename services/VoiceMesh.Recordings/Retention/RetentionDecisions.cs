using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Retention;

/// <summary>What a retention command met; the API answers by it.</summary>
public enum RetentionOutcome
{
    /// <summary>The recording changed.</summary>
    Changed,

    /// <summary>The command was applied already (or asked for what holds): nothing appended.</summary>
    Unchanged,

    /// <summary>No such recording.</summary>
    NotFound,

    /// <summary>The recording is under legal hold: it is not purged.</summary>
    Held,

    /// <summary>The recording is being purged or is purged: a hold or new tags come too late.</summary>
    Purging,

    /// <summary>The recording's retention has not run out (or it is kept forever).</summary>
    NotDue,
}

/// <summary>A retention decision: what it met, and what it appends.</summary>
public sealed record RetentionDecision(RetentionOutcome Outcome, Decision Decision)
{
    public static RetentionDecision Changed(params object[] events) => new(RetentionOutcome.Changed, events);

    public static RetentionDecision Nothing(RetentionOutcome outcome) => new(outcome, Decision.None);
}

/// <summary>
/// Retention, legal hold and purge decisions on a recording's stream: pure, so they are tested without a database, and
/// each answers a repeat with nothing. A held recording is never purged; a recording being purged takes no hold.
/// </summary>
public static class RetentionDecisions
{
    /// <summary>
    /// Records the archived copy together with how long it is kept (the first matching policy, else the default). A
    /// copy made after a purge was requested is not recorded: whoever made it deletes it again.
    /// </summary>
    public static Decision Archive(Recording? recording, RecordingArchived archived, RetentionOptions options, DateTimeOffset now)
    {
        if (recording is null || recording.PurgeRequest is not null)
        {
            return Decision.None;
        }

        var decision = Recording.Decide(recording, archived);
        return decision.Events.Count == 0
            ? decision
            : new object[] { archived, Schedule(recording, recording.Tags, archived.ArchivedAt, options, now) };
    }

    /// <summary>The schedule for a recording with <paramref name="tags"/>, archived at <paramref name="archivedAt"/>.</summary>
    public static RetentionScheduled Schedule(
        Recording recording, IReadOnlyCollection<string> tags, DateTimeOffset archivedAt, RetentionOptions options, DateTimeOffset now)
    {
        var policy = options.PolicyFor(recording.AccountSid, recording.Source, tags);
        var keepFor = policy is null ? options.KeepFor : policy.KeepFor;
        return new RetentionScheduled(recording.Id, policy?.Name ?? RetentionOptions.DefaultPolicy, archivedAt + keepFor, now);
    }

    /// <summary>
    /// Replaces the recording's tags; an archived recording is scheduled again when the new tags make another policy
    /// (or another end) apply. Too late once a purge was requested.
    /// </summary>
    public static RetentionDecision Tag(Recording? recording, IReadOnlyList<string> tags, RetentionOptions options, DateTimeOffset now)
    {
        if (recording is null)
        {
            return RetentionDecision.Nothing(RetentionOutcome.NotFound);
        }

        if (recording.PurgeRequest is not null)
        {
            return RetentionDecision.Nothing(RetentionOutcome.Purging);
        }

        var distinct = tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (distinct.SequenceEqual(recording.Tags, StringComparer.Ordinal))
        {
            return RetentionDecision.Nothing(RetentionOutcome.Unchanged);
        }

        var tagged = new RecordingTagged(recording.Id, distinct, now);
        if (recording.Archive is not { } archive)
        {
            return RetentionDecision.Changed(tagged);
        }

        var schedule = Schedule(recording, distinct, archive.ArchivedAt, options, now);
        return schedule.Policy == recording.Retention?.Policy && schedule.PurgeAfter == recording.Retention?.PurgeAfter
            ? RetentionDecision.Changed(tagged)
            : RetentionDecision.Changed(tagged, schedule);
    }

    /// <summary>Puts the recording under legal hold, or changes the hold's reason; too late once a purge was requested.</summary>
    public static RetentionDecision SetHold(Recording? recording, string reason, string? caseReference, DateTimeOffset now)
    {
        if (recording is null)
        {
            return RetentionDecision.Nothing(RetentionOutcome.NotFound);
        }

        if (recording.PurgeRequest is not null)
        {
            return RetentionDecision.Nothing(RetentionOutcome.Purging);
        }

        return recording.LegalHold is { } hold && hold.Reason == reason && hold.CaseReference == caseReference
            ? RetentionDecision.Nothing(RetentionOutcome.Unchanged)
            : RetentionDecision.Changed(new LegalHoldSet(recording.Id, reason, caseReference, now));
    }

    /// <summary>Lifts the legal hold; the recording's retention applies again (a run-out one at the purge job's next run).</summary>
    public static RetentionDecision ClearHold(Recording? recording, DateTimeOffset now) =>
        recording is null ? RetentionDecision.Nothing(RetentionOutcome.NotFound)
        : recording.LegalHold is null ? RetentionDecision.Nothing(RetentionOutcome.Unchanged)
        : RetentionDecision.Changed(new LegalHoldCleared(recording.Id, now));

    /// <summary>
    /// Decides to purge the recording, once: never while it is held; for <see cref="PurgeReason.Retention"/> only once
    /// its retention ran out; an erasure whatever its state (one not archived yet is never stored).
    /// </summary>
    public static RetentionDecision RequestPurge(Recording? recording, PurgeReason reason, DateTimeOffset now)
    {
        if (recording is null)
        {
            return RetentionDecision.Nothing(RetentionOutcome.NotFound);
        }

        if (recording.LegalHold is not null)
        {
            return RetentionDecision.Nothing(RetentionOutcome.Held);
        }

        if (recording.PurgeRequest is not null)
        {
            return RetentionDecision.Nothing(RetentionOutcome.Unchanged);
        }

        return reason == PurgeReason.Retention && !(recording.PurgeDueAt <= now)
            ? RetentionDecision.Nothing(RetentionOutcome.NotDue)
            : RetentionDecision.Changed(new PurgeRequested(recording.Id, reason, now));
    }

    /// <summary>Records the purge once, and only of a recording a purge was requested for.</summary>
    public static Decision Purged(Recording? recording, Purged purged) =>
        recording?.PurgeRequest is null || recording.Purge is not null ? Decision.None : new object[] { purged };
}
