using MassTransit;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>
/// Applies a conference status callback to the conference's stream; a report it holds appends nothing. A dial's answer
/// is recorded on the same stream outside the room's partition (a dial knows its room, not yet its conference), so a
/// conflict is decided again at once (<see cref="ConflictRetry"/>, up to <see cref="ConferenceDecisions.ConflictAttempts"/> attempts) rather than left to the endpoint's few quick retries.
/// </summary>
public sealed partial class ConferenceCallbackReceivedConsumer(
    StreamCommands commands, ConferenceCallbackMetrics metrics, TimeProvider clock, ILogger<ConferenceCallbackReceivedConsumer> logger)
    : IConsumer<ConferenceCallbackReceived>
{
    public async Task Consume(ConsumeContext<ConferenceCallbackReceived> context)
    {
        var callback = context.Message;
        var messageId = context.MessageId?.ToString("N") ?? callback.IdempotencyKey;
        var report = new ConferenceEventReported
        {
            ConferenceSid = callback.ConferenceSid,
            FriendlyName = callback.FriendlyName,
            Kind = callback.StatusCallbackEvent,
            SequenceNumber = callback.SequenceNumber,
            Timestamp = callback.Timestamp,
            MessageId = messageId,
            CallSid = callback.CallSid,
            Label = callback.ParticipantLabel,
            Muted = callback.Muted,
            Hold = callback.Hold,
            Coaching = callback.Coaching,
            EndConferenceOnExit = callback.EndConferenceOnExit,
            StartConferenceOnEnter = callback.StartConferenceOnEnter,
            ReasonParticipantLeft = callback.ReasonParticipantLeft,
            ReasonConferenceEnded = callback.ReasonConferenceEnded,
            CallSidEndingConference = callback.CallSidEndingConference,
            AnnounceUrl = callback.AnnounceUrl,
            ReceivedAt = callback.ReceivedAt,
            AccountSid = callback.AccountSid,
        };
        Conference? before = null;
        var appended = await ConflictRetry.Run(
            () => commands.Execute<Conference>(callback.ConferenceSid, messageId, conference => Conference.Decide(before = conference, report), context.CancellationToken),
            ConferenceDecisions.ConflictAttempts,
            clock,
            context.CancellationToken);
        if (before?.BelongsToAnotherAccount(callback.AccountSid) == true)
        {
            metrics.Refused("status", ConferenceCallbackMetrics.AccountMismatch);
            LogOtherAccount(callback.ConferenceSid, callback.AccountSid, before.AccountSid!);
            return;
        }

        if (appended.Count > 0)
        {
            LogApplied(callback.ConferenceSid, callback.StatusCallbackEvent, callback.SequenceNumber);
        }
        else
        {
            LogDuplicate(callback.ConferenceSid, callback.StatusCallbackEvent, callback.SequenceNumber);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a callback for conference {ConferenceSid}: it names account {CallbackAccountSid}, the conference belongs to {ConferenceAccountSid}")]
    private partial void LogOtherAccount(string conferenceSid, string callbackAccountSid, string conferenceAccountSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {StatusCallbackEvent} (sequence {SequenceNumber}) to conference {ConferenceSid}")]
    private partial void LogApplied(string conferenceSid, ConferenceCallbackEvent statusCallbackEvent, int? sequenceNumber);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored duplicate {StatusCallbackEvent} (sequence {SequenceNumber}) for conference {ConferenceSid}")]
    private partial void LogDuplicate(string conferenceSid, ConferenceCallbackEvent statusCallbackEvent, int? sequenceNumber);
}
