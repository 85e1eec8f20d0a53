using VoiceMesh.Recordings.Archiving;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Retention;

/// <summary>
/// Performs a stored decision to purge: deletes the stored copy (by its key, or the key it would have had, so a copy a
/// concurrent archive stored is caught too), deletes the recording at Twilio unless Twilio no longer holds it, and only
/// then records <see cref="Purged"/>. Every step is idempotent (deleting a key that holds nothing is
/// harmless on every backend), so a repeat after a crash changes nothing more.
/// </summary>
public sealed partial class RecordingPurger(
    IRecordingStorage storage, TwilioRecordings twilio, StreamCommands commands, TimeProvider clock, ILogger<RecordingPurger> logger)
{
    public async Task Purge(Recording recording, CancellationToken cancellationToken)
    {
        var reason = recording.PurgeRequest!.Reason;
        var key = recording.Archive?.BlobKey ?? RecordingBlobs.Key(recording.AccountSid, recording.CallSid ?? recording.ConferenceSid, recording.Id);
        await storage.Delete(key, cancellationToken);

        var alreadyGone = recording.DeletedAtTwilioAt is not null || !await twilio.Delete(recording.AccountSid, recording.Id);
        var purged = new Purged
        {
            RecordingSid = recording.Id,
            Reason = reason,
            AccountSid = recording.AccountSid,
            CallSid = recording.CallSid,
            ConferenceSid = recording.ConferenceSid,
            BlobKey = recording.Archive?.BlobKey,
            AlreadyGoneAtTwilio = alreadyGone,
            PurgedAt = clock.GetUtcNow(),
        };
        if ((await commands.Execute<Recording>(recording.Id, null, r => RetentionDecisions.Purged(r, purged), cancellationToken)).Count > 0)
        {
            LogPurged(recording.Id, reason, recording.Archive is not null, alreadyGone);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Recording {RecordingSid} purged ({Reason}): stored copy deleted: {HadCopy}; already gone at Twilio: {AlreadyGone}")]
    private partial void LogPurged(string recordingSid, PurgeReason reason, bool hadCopy, bool alreadyGone);
}
