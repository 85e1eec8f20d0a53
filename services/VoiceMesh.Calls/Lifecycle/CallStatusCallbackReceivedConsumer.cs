using MassTransit;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Lifecycle;

/// <summary>
/// Applies a status callback to the call's stream through the command path, with group commit: a burst of callbacks is
/// stored many calls to a transaction (<see cref="StreamCommands.ExecuteGrouped{T}"/>); a report it holds appends nothing.
/// </summary>
public sealed partial class CallStatusCallbackReceivedConsumer(
    StreamCommands commands, LifecycleMetrics metrics, ILogger<CallStatusCallbackReceivedConsumer> logger)
    : IConsumer<CallStatusCallbackReceived>
{
    public async Task Consume(ConsumeContext<CallStatusCallbackReceived> context)
    {
        var callback = context.Message;
        var messageId = context.MessageId?.ToString("N") ?? callback.IdempotencyKey;
        var report = new CallStatusReported
        {
            CallSid = callback.CallSid,
            Status = CallStatusWire.Parse(callback.CallStatus),
            SequenceNumber = callback.SequenceNumber,
            Timestamp = callback.Timestamp,
            Source = ReportSource.StatusCallback,
            AccountSid = callback.AccountSid,
            MessageId = messageId,
            Direction = callback.Direction,
            From = callback.From,
            To = callback.To,
            AnsweredBy = AnsweredByWire.Parse(callback.AnsweredBy),
            DurationSeconds = callback.CallDurationSeconds,
            SipResponseCode = callback.SipResponseCode,
            ReceivedAt = callback.ReceivedAt,
        };
        Call? before = null;
        var appended = await commands.ExecuteGrouped<Call>(
            callback.CallSid, messageId, call => Call.Decide(before = call, report), context.CancellationToken);
        metrics.Stored(before, appended);
        if (before?.BelongsToAnotherAccount(callback.AccountSid) == true)
        {
            metrics.Refused("status", LifecycleMetrics.AccountMismatch);
            LogOtherAccount(callback.CallSid, callback.AccountSid, before.AccountSid);
        }
        else if (appended.Count > 0)
        {
            LogApplied(callback.CallSid, callback.CallStatus, callback.SequenceNumber);
        }
        else
        {
            LogDuplicate(callback.CallSid, callback.CallStatus, callback.SequenceNumber);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {CallStatus} (sequence {SequenceNumber}) to call {CallSid}")]
    private partial void LogApplied(string callSid, string callStatus, int? sequenceNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a status callback for call {CallSid}: it names account {CallbackAccountSid}, the call belongs to {CallAccountSid}")]
    private partial void LogOtherAccount(string callSid, string callbackAccountSid, string? callAccountSid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored duplicate {CallStatus} (sequence {SequenceNumber}) for call {CallSid}")]
    private partial void LogDuplicate(string callSid, string callStatus, int? sequenceNumber);
}
