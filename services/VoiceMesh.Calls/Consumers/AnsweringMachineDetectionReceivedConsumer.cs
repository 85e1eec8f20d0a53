using Marten;
using MassTransit;
using VoiceMesh.Calls.Control;
using VoiceMesh.Calls.Domain;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Consumers;

/// <summary>
/// Records an asynchronous AMD result on the call, then does what its PlaceCall asked for a machine: hang up, or
/// play the machine message. A redelivered result changes nothing.
/// </summary>
public sealed partial class AnsweringMachineDetectionReceivedConsumer(
    IDocumentSession session, TwilioCallControl twilio, ILogger<AnsweringMachineDetectionReceivedConsumer> logger)
    : IConsumer<AnsweringMachineDetectionReceived>
{
    public async Task Consume(ConsumeContext<AnsweringMachineDetectionReceived> context)
    {
        var result = context.Message;
        var messageId = context.MessageId?.ToString("N") ?? result.IdempotencyKey;
        var stream = await session.Events.FetchForWriting<Call>(result.CallSid, context.CancellationToken);
        if (stream.Aggregate?.AmdMessageId == messageId)
        {
            return;
        }

        stream.AppendOne(new AnsweredByDetected
        {
            CallSid = result.CallSid,
            AnsweredBy = result.AnsweredBy,
            DetectionMilliseconds = result.MachineDetectionDurationMs,
            MessageId = messageId,
            DetectedAt = result.ReceivedAt,
        });
        await session.SaveChangesAsync(context.CancellationToken);
        LogDetected(result.CallSid, result.AnsweredBy);

        var requestId = result.RequestId ?? stream.Aggregate?.RequestId;
        if (!CallStatuses.IsMachine(result.AnsweredBy) || requestId is null)
        {
            return;
        }

        var placement = await session.LoadAsync<CallPlacement>(CallPlacement.StreamId(requestId), context.CancellationToken);
        switch (placement?.Request?.OnMachine)
        {
            case "hangup":
                await twilio.HangUp(result.CallSid);
                break;
            case "message":
                await twilio.Redirect(result.CallSid, url: null, twiml: placement.Request.MachineMessageTwiml);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} was answered by {AnsweredBy}")]
    private partial void LogDetected(string callSid, string answeredBy);
}
