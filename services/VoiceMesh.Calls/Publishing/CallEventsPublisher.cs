using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Publishing;

/// <summary>
/// Forwards the Calls service's domain events to the bus from the event store itself, so an event is published
/// if and only if it was stored (at least once; consumers are idempotent). Runs in the async daemon, on one
/// instance at a time (HotCold). The mapping from domain events to contracts lives only here.
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
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        foreach (var stored in page.Events)
        {
            var message = Map(stored);
            if (message is not null)
            {
                // The stored event's id names the message, so a republished page is deduplicated downstream.
                await _bus.Publish(message, message.GetType(), p => p.MessageId = stored.Id, cancellationToken);
            }
        }

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
        _ => null,
    };
}
