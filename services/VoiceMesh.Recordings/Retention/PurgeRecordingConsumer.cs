using MassTransit;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Retention;

/// <summary>
/// Performs a stored decision to purge (from the outbox). Reads the stream first: a recording purged already, or with
/// no purge requested, changes nothing. A recording Twilio is still making is left to its <c>completed</c> report,
/// whose archive step purges instead of storing.
/// </summary>
public sealed partial class PurgeRecordingConsumer(
    StreamCommands commands, RecordingPurger purger, ILogger<PurgeRecordingConsumer> logger)
    : IConsumer<PurgeRecording>
{
    public async Task Consume(ConsumeContext<PurgeRecording> context)
    {
        var sid = context.Message.RecordingSid;
        var recording = await commands.Load<Recording>(sid, context.CancellationToken);
        if (recording?.PurgeRequest is null || recording.Purge is not null)
        {
            LogNothingToDo(sid);
            return;
        }

        if (!recording.TwilioStatus.IsFinal())
        {
            LogWaitingForTwilio(sid, recording.TwilioStatus);
            return;
        }

        await purger.Purge(recording, context.CancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recording {RecordingSid} needs no purge (purged already, or none requested)")]
    private partial void LogNothingToDo(string recordingSid);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Recording {RecordingSid} is {TwilioStatus} at Twilio; it is purged once Twilio reports it completed")]
    private partial void LogWaitingForTwilio(string recordingSid, TwilioRecordingStatus twilioStatus);
}
