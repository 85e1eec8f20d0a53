using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Conferences.Rooms;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Outbox;

/// <summary>
/// Performs what the Conferences service decided from the event store itself, so a Twilio request leaves if and only
/// if its decision was stored (at least once; every consumer reads Twilio's state first): a dial as
/// <see cref="DialParticipant"/>, a moderator's action as <see cref="ApplyParticipantChange"/>,
/// <see cref="KickParticipant"/>, <see cref="PlayConferenceAnnouncement"/> or <see cref="CompleteConference"/>; the end
/// of a pooled caller id's lease (its participant left, or its dial failed) as NumberPool's <see cref="ReleaseCallerId"/>. Runs in
/// the async daemon on one instance at a time (HotCold). All actions but an announcement are also performed by their
/// command right after its commit (<see cref="ControlActions.IsPrompt"/>, <c>AfterCommit</c>); this copy is the guarantee.
/// </summary>
public sealed class ConferenceEventsPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public ConferenceEventsPublisher(IBus bus)
    {
        _bus = bus;
        Name = "conferences-to-bus";
        IncludeType<ParticipantDialRequested>();
        IncludeType<ConferenceActionRequested>();
        IncludeType<ParticipantDialFailed>();
        IncludeType<CallerIdReleaseRequested>();
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
        ParticipantDialRequested e => new DialParticipant { RequestId = e.RequestId, FriendlyName = e.FriendlyName, OccurredAt = e.RequestedAt },
        ConferenceActionRequested e => ControlActions.Message(e),
        ParticipantDialFailed { LeaseId: { } lease } e => new ReleaseCallerId { LeaseId = lease, OccurredAt = e.FailedAt },
        CallerIdReleaseRequested e => new ReleaseCallerId { LeaseId = e.LeaseId, OccurredAt = e.RequestedAt },
        _ => null,
    };
}
