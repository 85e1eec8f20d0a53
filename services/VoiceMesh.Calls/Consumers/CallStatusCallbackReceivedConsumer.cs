using Marten;
using MassTransit;
using VoiceMesh.Calls.Domain;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Consumers;

/// <summary>
/// Appends a status callback to the call's stream. Safe on redelivery: a report the stream already holds
/// appends nothing. Two consumers racing on one call meet Marten's optimistic concurrency check, and the
/// loser is retried against the new version.
/// </summary>
public sealed partial class CallStatusCallbackReceivedConsumer(
    IDocumentSession session, ILogger<CallStatusCallbackReceivedConsumer> logger)
    : IConsumer<CallStatusCallbackReceived>
{
    public async Task Consume(ConsumeContext<CallStatusCallbackReceived> context)
    {
        var callback = context.Message;
        var messageId = context.MessageId?.ToString("N") ?? callback.IdempotencyKey;
        var stream = await session.Events.FetchForWriting<Call>(callback.CallSid, context.CancellationToken);
        if (stream.Aggregate?.AlreadyHas(messageId, callback.CallStatus, callback.SequenceNumber) == true)
        {
            LogDuplicate(callback.CallSid, callback.CallStatus, callback.SequenceNumber);
            return;
        }

        stream.AppendOne(new CallStatusReported
        {
            CallSid = callback.CallSid,
            Status = callback.CallStatus,
            SequenceNumber = callback.SequenceNumber,
            Timestamp = callback.Timestamp,
            Source = ReportSources.StatusCallback,
            MessageId = messageId,
            Direction = callback.Direction,
            From = callback.From,
            To = callback.To,
            AnsweredBy = callback.AnsweredBy,
            DurationSeconds = callback.CallDurationSeconds,
            SipResponseCode = callback.SipResponseCode,
            ReceivedAt = callback.ReceivedAt,
        });
        await session.SaveChangesAsync(context.CancellationToken);
        LogApplied(callback.CallSid, callback.CallStatus, callback.SequenceNumber);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {CallStatus} (sequence {SequenceNumber}) to call {CallSid}")]
    private partial void LogApplied(string callSid, string callStatus, int? sequenceNumber);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ignored duplicate {CallStatus} (sequence {SequenceNumber}) for call {CallSid}")]
    private partial void LogDuplicate(string callSid, string callStatus, int? sequenceNumber);
}
