using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using VoiceMesh.Calls.Budgets;
using VoiceMesh.Calls.Flows;
using VoiceMesh.Calls.MachineDetection;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Calls.Queues;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Outbox;

/// <summary>
/// Forwards what the Calls service stored to the bus from the event store itself, so a message leaves if and only if
/// its event was stored (at least once; every consumer is idempotent): outcome events for other systems (placement
/// outcomes, voicemails left, budgets exhausted), and the
/// Twilio actions that follow a stored decision (a machine's hang-up or message, as the same HangUpCall and
/// RedirectCall commands other systems send; a dequeued caller's bridge, as BridgeQueuedCall; the end of a pooled caller
/// id's lease, as NumberPool's ReleaseCallerId). Runs in the async daemon, on one instance at a time (HotCold). The
/// mapping from domain events to messages lives only here.
/// </summary>
public sealed class CallEventsPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public CallEventsPublisher(IBus bus)
    {
        _bus = bus;
        Name = "calls-to-bus";
        IncludeType<PlacementRejected>();
        IncludeType<PlacementSucceeded>();
        IncludeType<PlacementFailed>();
        IncludeType<CallerIdReleaseRequested>();
        IncludeType<PlacementLeaseReleased>();
        IncludeType<MachineActionRequested>();
        IncludeType<QueuedCallDequeued>();
        IncludeType<VoicemailRecorded>();
        IncludeType<BudgetLimitReached>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        await _bus.PublishPage(
            from stored in page.Events let message = Map(stored) where message is not null select new OutboxMessage(message, stored.Id, stored.StreamKey!),
            cancellationToken);
        return NullChangeListener.Instance;
    }

    internal static object? Map(IEvent stored) => stored.Data switch
    {
        PlacementRejected e => new CallPlacementRejected
        {
            RequestId = e.RequestId, Field = e.Field, Reason = e.Reason, OccurredAt = e.RejectedAt,
        },
        PlacementSucceeded e => new Contracts.Calls.CallPlaced
        {
            RequestId = e.RequestId, CallSid = e.CallSid, Attempts = e.Attempt, OccurredAt = e.PlacedAt,
        },
        PlacementFailed e => new CallPlacementFailed
        {
            RequestId = e.RequestId, ErrorCode = e.ErrorCode, ErrorMessage = e.Message, Attempts = e.Attempt, OccurredAt = e.FailedAt,
        },
        CallerIdReleaseRequested e => new ReleaseCallerId { LeaseId = e.LeaseId, OccurredAt = e.RequestedAt },
        PlacementLeaseReleased e => new ReleaseCallerId { LeaseId = e.LeaseId, OccurredAt = e.ReleasedAt },
        MachineActionRequested { Action: MachineAction.HangUp } e => new HangUpCall { CallSid = e.CallSid, OccurredAt = e.RequestedAt },
        MachineActionRequested { Action: MachineAction.Message } e => new RedirectCall
        {
            CallSid = e.CallSid, Twiml = e.Twiml, OccurredAt = e.RequestedAt,
        },
        QueuedCallDequeued e => new BridgeQueuedCall
        {
            RequestId = e.RequestId, Queue = e.Queue, QueueSid = e.QueueSid, CallSid = e.CallSid, To = e.To, CallerId = e.CallerId, OccurredAt = e.DequeuedAt,
        },
        VoicemailRecorded { RecordingSid: { } recordingSid } e => new VoicemailLeft
        {
            CallSid = e.CallSid, RecordingSid = recordingSid, RecordingUrl = e.RecordingUrl, DurationSeconds = e.DurationSeconds, OccurredAt = e.RecordedAt,
        },
        BudgetLimitReached e => new BudgetExhausted
        {
            Scope = e.Scope.ToWire(), Key = e.Key, Amount = e.Amount, Currency = e.Currency, Period = e.Period.ToWire(),
            PeriodStart = e.PeriodStart, PeriodEnd = e.PeriodEnd, Spent = e.Spent, CallsInFlight = e.CallsInFlight, OccurredAt = e.ReachedAt,
        },
        _ => null,
    };
}
