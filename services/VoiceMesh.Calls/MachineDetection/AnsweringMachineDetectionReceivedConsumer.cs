using MassTransit;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.MachineDetection;

/// <summary>
/// Records an asynchronous AMD result on the call and, in the same transaction, the machine action its PlaceCall
/// asked for; the outbox performs that action from the event store. A redelivered result changes nothing.
/// </summary>
public sealed partial class AnsweringMachineDetectionReceivedConsumer(
    StreamCommands commands, LifecycleMetrics metrics, TimeProvider clock, ILogger<AnsweringMachineDetectionReceivedConsumer> logger)
    : IConsumer<AnsweringMachineDetectionReceived>
{
    public async Task Consume(ConsumeContext<AnsweringMachineDetectionReceived> context)
    {
        var result = context.Message;
        var messageId = context.MessageId?.ToString("N") ?? result.IdempotencyKey;
        var requestId = result.RequestId ?? (await commands.Load<Call>(result.CallSid, context.CancellationToken))?.RequestId;
        var placement = requestId is null
            ? null
            : await commands.Load<CallPlacement>(CallPlacement.StreamId(requestId), context.CancellationToken);
        var detected = new AnsweredByDetected
        {
            CallSid = result.CallSid,
            AnsweredBy = AnsweredByWire.Parse(result.AnsweredBy) ?? AnsweredBy.Unknown,
            AccountSid = result.AccountSid,
            DetectionMilliseconds = result.MachineDetectionDurationMs,
            MessageId = messageId,
            DetectedAt = result.ReceivedAt,
        };
        var now = clock.GetUtcNow();
        Call? before = null;
        var appended = await commands.ExecuteGrouped<Call>(
            result.CallSid,
            messageId,
            call => MachineDetectionDecision.Decide(before = call, placement?.Request, detected, now),
            context.CancellationToken);
        if (before?.BelongsToAnotherAccount(result.AccountSid) == true)
        {
            metrics.Refused("amd", LifecycleMetrics.AccountMismatch);
            LogOtherAccount(result.CallSid, result.AccountSid, before.AccountSid);
            return;
        }

        foreach (var action in appended.OfType<MachineActionRequested>())
        {
            LogActionRequested(result.CallSid, result.AnsweredBy, action.Action);
        }

        if (appended.Count > 0)
        {
            LogDetected(result.CallSid, result.AnsweredBy);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an AMD callback for call {CallSid}: it names account {CallbackAccountSid}, the call belongs to {CallAccountSid}")]
    private partial void LogOtherAccount(string callSid, string callbackAccountSid, string? callAccountSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} was answered by {AnsweredBy}")]
    private partial void LogDetected(string callSid, string answeredBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} answered by {AnsweredBy}: {Action} requested")]
    private partial void LogActionRequested(string callSid, string answeredBy, MachineAction action);
}
