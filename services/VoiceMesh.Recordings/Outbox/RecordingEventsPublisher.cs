using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Retention;

namespace VoiceMesh.Recordings.Outbox;

/// <summary>
/// Forwards what the Recordings service stored to the bus from the event store itself, so a decision leaves if and
/// only if it was stored (at least once; every consumer checks first or is idempotent): the decisions to archive and
/// to purge as commands (ArchiveRecording, PurgeRecording), and the outcomes other services follow (RecordingArchived,
/// RecordingPurged). Runs in the async daemon on one instance at a time (HotCold). The mapping from domain events to
/// messages lives only here.
/// </summary>
public sealed class RecordingEventsPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public RecordingEventsPublisher(IBus bus)
    {
        _bus = bus;
        Name = "recordings-to-bus";
        IncludeType<RecordingArchiveRequested>();
        IncludeType<Lifecycle.RecordingArchived>();
        IncludeType<PurgeRequested>();
        IncludeType<Purged>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        foreach (var stored in page.Events)
        {
            if (Map(stored) is { } message)
            {
                // The stored event's id names the message, so a republished page is deduplicated downstream.
                await _bus.Publish(message, message.GetType(), p => p.MessageId = stored.Id, cancellationToken);
            }
        }

        return NullChangeListener.Instance;
    }

    internal static object? Map(IEvent stored) => stored.Data switch
    {
        RecordingArchiveRequested e => new ArchiveRecording { RecordingSid = e.RecordingSid, OccurredAt = e.RequestedAt },
        Lifecycle.RecordingArchived { AccountSid: { } accountSid } e => new Contracts.Recordings.RecordingArchived
        {
            RecordingSid = e.RecordingSid, CallSid = e.CallSid, ConferenceSid = e.ConferenceSid, AccountSid = accountSid, OccurredAt = e.ArchivedAt,
        },
        PurgeRequested e => new PurgeRecording { RecordingSid = e.RecordingSid, OccurredAt = e.RequestedAt },
        Purged e => new RecordingPurged
        {
            RecordingSid = e.RecordingSid,
            CallSid = e.CallSid,
            ConferenceSid = e.ConferenceSid,
            AccountSid = e.AccountSid,
            Reason = e.Reason.ToWire(),
            OccurredAt = e.PurgedAt,
        },
        _ => null,
    };
}
