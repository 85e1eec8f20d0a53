using MassTransit;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>
/// A call's terminal status (completed, busy, failed, no-answer, canceled) ends the caller-id leases taken for it
/// (<c>AcquireCallerId</c> with its CallSid): the bus carries the outcome, no service calls another. A repeat finds
/// nothing open and changes nothing. Named for what it does, so its queue is not the Calls service's.
/// </summary>
public sealed partial class LeaseCallStatusConsumer(CallerIdLeases leases, ILogger<LeaseCallStatusConsumer> logger)
    : IConsumer<CallStatusCallbackReceived>
{
    private static readonly string[] Terminal = [CallStatuses.Completed, CallStatuses.Busy, CallStatuses.Failed, CallStatuses.NoAnswer, CallStatuses.Canceled];

    public async Task Consume(ConsumeContext<CallStatusCallbackReceived> context)
    {
        var callback = context.Message;
        if (Terminal.Contains(callback.CallStatus, StringComparer.Ordinal) && await leases.ReleaseForCall(callback.CallSid, context.CancellationToken))
        {
            LogReleased(callback.CallSid, callback.CallStatus);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} ended ({CallStatus}): its caller-id lease is released")]
    private partial void LogReleased(string callSid, string callStatus);
}
