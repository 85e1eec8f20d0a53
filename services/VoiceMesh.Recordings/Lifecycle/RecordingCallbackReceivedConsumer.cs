using MassTransit;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.Recordings.Archiving;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Lifecycle;

/// <summary>
/// Applies a recording status callback to the recording's stream and, for the first <c>completed</c> one, stores the
/// decision to archive in the same transaction (with group commit: a burst of callbacks shares transactions); the outbox
/// performs it. A callback the stream holds appends nothing.
/// </summary>
public sealed partial class RecordingCallbackReceivedConsumer(
    StreamCommands commands, RecordingsMetrics metrics, TimeProvider clock, ILogger<RecordingCallbackReceivedConsumer> logger)
    : IConsumer<RecordingCallbackReceived>
{
    public async Task Consume(ConsumeContext<RecordingCallbackReceived> context)
    {
        var callback = context.Message;
        var messageId = context.MessageId?.ToString("N") ?? callback.IdempotencyKey;
        var report = new RecordingReported
        {
            RecordingSid = callback.RecordingSid,
            CallSid = callback.CallSid,
            ConferenceSid = callback.ConferenceSid,
            AccountSid = callback.AccountSid,
            Status = TwilioRecordingStatusWire.Parse(callback.RecordingStatus),
            Url = callback.RecordingUrl,
            DurationSeconds = callback.RecordingDurationSeconds,
            Channels = callback.RecordingChannels,
            Source = callback.RecordingSource,
            ErrorCode = callback.ErrorCode,
            MessageId = messageId,
            ReceivedAt = callback.ReceivedAt,
        };
        var now = clock.GetUtcNow();
        Recording? before = null;
        var appended = await commands.ExecuteGrouped<Recording>(
            callback.RecordingSid, messageId, recording => Recording.Decide(before = recording, report, now), context.CancellationToken);
        if (before?.BelongsToAnotherAccount(callback.AccountSid) == true)
        {
            metrics.Refused(RecordingsMetrics.AccountMismatch);
            LogOtherAccount(callback.RecordingSid, callback.AccountSid, before.AccountSid);
            return;
        }

        if (appended.Count == 0)
        {
            LogDuplicate(callback.RecordingSid, callback.RecordingStatus);
            return;
        }

        LogReported(callback.RecordingSid, callback.CallSid, callback.ConferenceSid, callback.RecordingStatus);
        if (appended.OfType<RecordingArchiveRequested>().Any())
        {
            LogArchiveRequested(callback.RecordingSid);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} of call {CallSid} / conference {ConferenceSid} reported {RecordingStatus}")]
    private partial void LogReported(string recordingSid, string? callSid, string? conferenceSid, string recordingStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a callback for recording {RecordingSid}: it names account {CallbackAccountSid}, the recording belongs to {RecordingAccountSid}")]
    private partial void LogOtherAccount(string recordingSid, string callbackAccountSid, string recordingAccountSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} is to be archived")]
    private partial void LogArchiveRequested(string recordingSid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored duplicate {RecordingStatus} for recording {RecordingSid}")]
    private partial void LogDuplicate(string recordingSid, string recordingStatus);
}
