using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Retention;
using VoiceMesh.ServiceDefaults;

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
        await _bus.PublishPage(
            from stored in page.Events let message = Map(stored) where message is not null select new OutboxMessage(message, stored.Id, stored.StreamKey!),
            cancellationToken);
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
