using MassTransit;
using Twilio.Clients;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Queue;
using VoiceMesh.Calls.Flows;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Queues;

/// <summary>
/// Chooses the caller for a DequeueCall from Twilio's own list of the queue's members (its order is the arrival
/// order), skipping callers already handed to an agent, and records the choice on the queue's stream; the outbox
/// then sends the BridgeQueuedCall that connects them. A redelivered request chooses no second caller.
/// </summary>
public sealed partial class DequeueCallConsumer(
    ITwilioRestClient twilio, StreamCommands commands, TimeProvider clock, ILogger<DequeueCallConsumer> logger) : IConsumer<DequeueCall>
{
    public async Task Consume(ConsumeContext<DequeueCall> context)
    {
        var command = context.Message;
        if (Validate(command) is { } violation)
        {
            await Reject(context, violation.Field, violation.Reason);
            return;
        }

        var queue = (await QueueResource.ReadAsync(client: twilio)).FirstOrDefault(q => q.FriendlyName == command.Queue);
        if (queue is null)
        {
            await Reject(context, "Queue", $"No caller is waiting in queue {command.Queue}.");
            return;
        }

        var members = (await MemberResource.ReadAsync(queue.Sid, client: twilio))
            .Select(m => new QueueMember(m.CallSid, m.Position ?? int.MaxValue))
            .ToList();
        var nobody = false;
        var appended = await commands.Execute<QueueDequeues>(
            QueueDequeues.StreamId(command.Queue),
            command.RequestId,
            state =>
            {
                var chosen = QueueDequeues.Choose(state, members, command.Queue, queue.Sid, command.To, command.CallerId, command.RequestId, clock.GetUtcNow());
                nobody = chosen is null;
                return chosen is null ? Decision.None : new object[] { chosen };
            },
            context.CancellationToken);
        if (nobody)
        {
            await Reject(context, "Queue", $"No caller is waiting in queue {command.Queue}.");
        }
        else if (appended.Count > 0)
        {
            LogDequeued(command.RequestId, command.Queue, ((QueuedCallDequeued)appended[0]).CallSid);
        }
    }

    internal static (string Field, string Reason)? Validate(DequeueCall command)
    {
        if (string.IsNullOrWhiteSpace(command.RequestId) || command.RequestId.Length > 128)
        {
            return ("RequestId", "RequestId must be 1-128 characters.");
        }

        if (string.IsNullOrWhiteSpace(command.Queue) || command.Queue.Length > 64)
        {
            return ("Queue", "Queue must be 1-64 characters.");
        }

        if (!FlowValidator.IsDialTarget(command.To))
        {
            return ("To", "To must be an E.164 number, a sip: URI or client:identity.");
        }

        return command.CallerId is not null && !E164.IsDialable(command.CallerId)
            ? ("CallerId", "CallerId must be an E.164 number.")
            : null;
    }

    private Task Reject(ConsumeContext<DequeueCall> context, string field, string reason)
    {
        LogRejected(context.Message.RequestId, context.Message.Queue, reason);
        return context.Publish(new DequeueCallRejected
        {
            RequestId = context.Message.RequestId,
            Queue = context.Message.Queue,
            Field = field,
            Reason = reason,
            OccurredAt = clock.GetUtcNow(),
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dequeue {RequestId} from queue {Queue} chose call {CallSid}")]
    private partial void LogDequeued(string requestId, string queue, string callSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dequeue {RequestId} from queue {Queue} refused: {Reason}")]
    private partial void LogRejected(string requestId, string queue, string reason);
}
