using MassTransit;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.NumberPool.Leasing;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Reputation;

/// <summary>
/// A call's terminal status, from the bus (the gateway's <see cref="CallStatusCallbackReceived"/>; no service calls
/// another): ends the caller-id leases taken for the call, and, for a call whose caller id is a pool number, records whether
/// it was answered (completed) or not (busy, no-answer) and judges the number's reputation against its pool's; a
/// number well below is put in cooldown. Failed and canceled calls say nothing of how the called people see the
/// caller id and are not counted. A repeat finds the leases ended and the call recorded, and changes nothing.
/// </summary>
public sealed partial class CallOutcomeConsumer(
    CallerIdLeases leases, CallOutcomes outcomes, StreamCommands commands, TimeProvider clock, ILogger<CallOutcomeConsumer> logger)
    : IConsumer<CallStatusCallbackReceived>
{
    private static readonly string[] Terminal = [CallStatuses.Completed, CallStatuses.Busy, CallStatuses.Failed, CallStatuses.NoAnswer, CallStatuses.Canceled];
    private static readonly string[] Judged = [CallStatuses.Completed, CallStatuses.Busy, CallStatuses.NoAnswer];

    public async Task Consume(ConsumeContext<CallStatusCallbackReceived> context)
    {
        var callback = context.Message;
        if (!Terminal.Contains(callback.CallStatus, StringComparer.Ordinal))
        {
            return;
        }

        if (await leases.ReleaseForCall(callback.CallSid, context.CancellationToken))
        {
            LogReleased(callback.CallSid, callback.CallStatus);
        }

        if (!Judged.Contains(callback.CallStatus, StringComparer.Ordinal) || callback.From is not { } from)
        {
            return;
        }

        var answered = callback.CallStatus == CallStatuses.Completed;
        var outcome = new CallOutcome(callback.CallSid, from, answered, answered ? callback.CallDurationSeconds ?? 0 : 0);
        if (await outcomes.Record(outcome, context.CancellationToken) is not { } poolName
            || await commands.Load<Pool>(Pool.StreamId(poolName), context.CancellationToken) is not { } pool)
        {
            return;
        }

        var counts = await outcomes.Count(from, poolName, pool.Reputation, context.CancellationToken);
        if (counts.Degraded(pool.Reputation) is { } evidence
            && (await commands.Execute<Number>(
                from, $"reputation:{callback.CallSid}", n => Number.Degrade(n, evidence, pool.Reputation.Cooldown, clock.GetUtcNow()),
                context.CancellationToken)).Count > 0)
        {
            LogDegraded(poolName, evidence.AnswerRate, evidence.PoolAnswerRate, evidence.Calls);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} ended ({CallStatus}): its caller-id lease is released")]
    private partial void LogReleased(string callSid, string callStatus);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "A number of pool {Pool} cools down: answer rate {AnswerRate:P0} over {Calls} calls, the rest of the pool {PoolAnswerRate:P0}")]
    private partial void LogDegraded(string pool, double answerRate, double poolAnswerRate, int calls);
}
