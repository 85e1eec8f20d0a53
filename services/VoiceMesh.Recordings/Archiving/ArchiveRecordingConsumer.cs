using MassTransit;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Retention;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// Performs a stored decision to archive: reads the stream first and does only what is left (archive, then delete at
/// Twilio), so a repeated command, or one redelivered after a crash between the two, changes nothing twice. A
/// recording whose erasure was requested is purged instead of stored.
/// </summary>
public sealed partial class ArchiveRecordingConsumer(
    StreamCommands commands,
    RecordingArchiver archiver,
    RecordingPurger purger,
    TwilioRecordings twilio,
    IOptions<RecordingsOptions> options,
    TimeProvider clock,
    ILogger<ArchiveRecordingConsumer> logger)
    : IConsumer<ArchiveRecording>
{
    public async Task Consume(ConsumeContext<ArchiveRecording> context)
    {
        var sid = context.Message.RecordingSid;
        var recording = await commands.Load<Recording>(sid, context.CancellationToken);
        if (Recording.NextStep(recording, options.Value.DeleteAtTwilio) == ArchiveStep.Purge)
        {
            await purger.Purge(recording!, context.CancellationToken);
            return;
        }

        // A copy this attempt recorded needs no second read: the stream was archived just now and not deleted yet.
        var next = Recording.NextStep(recording, options.Value.DeleteAtTwilio);
        if (next == ArchiveStep.Archive)
        {
            var archived = await archiver.Archive(recording!, context.GetRetryAttempt() + 1, context.CancellationToken);
            next = archived && options.Value.DeleteAtTwilio ? ArchiveStep.DeleteAtTwilio : ArchiveStep.None;
        }

        if (next == ArchiveStep.DeleteAtTwilio)
        {
            var deleted = await twilio.Delete(recording!.AccountSid, sid);
            var gone = new RecordingDeletedAtTwilio(sid, AlreadyGone: !deleted, clock.GetUtcNow());
            await commands.Execute<Recording>(sid, null, r => Recording.Decide(r, gone), context.CancellationToken);
            LogDeleted(sid, !deleted);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} deleted at Twilio (already gone: {AlreadyGone})")]
    private partial void LogDeleted(string recordingSid, bool alreadyGone);
}
