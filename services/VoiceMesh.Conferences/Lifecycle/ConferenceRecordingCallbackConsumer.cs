using MassTransit;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>
/// Records a conference recording's sid, URL and status on the conference's stream (the Recordings service archives
/// the media from the same callback, on its own queue). Recording callbacks of calls are not this service's.
/// </summary>
public sealed partial class ConferenceRecordingCallbackConsumer(
    StreamCommands commands, ConferenceCallbackMetrics metrics, ILogger<ConferenceRecordingCallbackConsumer> logger)
    : IConsumer<RecordingCallbackReceived>
{
    public async Task Consume(ConsumeContext<RecordingCallbackReceived> context)
    {
        var callback = context.Message;
        if (callback.ConferenceSid is not { } conferenceSid || callback.CallSid is not null)
        {
            return;
        }

        var messageId = context.MessageId?.ToString("N") ?? callback.IdempotencyKey;
        var reported = new ConferenceRecordingReported
        {
            ConferenceSid = conferenceSid,
            RecordingSid = callback.RecordingSid,
            Status = callback.RecordingStatus,
            RecordingUrl = callback.RecordingUrl,
            DurationSeconds = callback.RecordingDurationSeconds,
            MessageId = messageId,
            ReceivedAt = callback.ReceivedAt,
            AccountSid = callback.AccountSid,
        };
        Conference? before = null;
        var appended = await commands.Execute<Conference>(
            conferenceSid, messageId, conference => Conference.Decide(before = conference, reported), context.CancellationToken);
        if (before?.BelongsToAnotherAccount(callback.AccountSid) == true)
        {
            metrics.Refused("recording", ConferenceCallbackMetrics.AccountMismatch);
            LogOtherAccount(conferenceSid, callback.RecordingSid, callback.AccountSid, before.AccountSid!);
            return;
        }

        if (appended.Count > 0)
        {
            LogRecorded(conferenceSid, callback.RecordingSid, callback.RecordingStatus);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused recording {RecordingSid}'s callback for conference {ConferenceSid}: it names account {CallbackAccountSid}, the conference belongs to {ConferenceAccountSid}")]
    private partial void LogOtherAccount(string conferenceSid, string recordingSid, string callbackAccountSid, string conferenceAccountSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} of conference {ConferenceSid} is {RecordingStatus}")]
    private partial void LogRecorded(string conferenceSid, string recordingSid, string recordingStatus);
}
