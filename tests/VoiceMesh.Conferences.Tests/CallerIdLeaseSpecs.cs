using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Conferences.Outbox;
using VoiceMesh.Conferences.Rooms;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.Contracts.Numbers;

namespace VoiceMesh.Conferences.Tests;

/// <summary>A caller id leased from a pool ends with its participant: when it leaves, or when its dial fails.</summary>
public sealed class CallerIdLeaseSpecs
{
    private static readonly Guid Lease = Guid.Parse("6d3f1a52-2b0e-4c57-9a43-1f3c2b7d9e10");
    private static readonly string Caller = RoomScript.Call(1);

    private static ParticipantDialed Dialed(Guid? lease) => new()
    {
        ConferenceSid = RoomScript.ConferenceSid,
        FriendlyName = "standup",
        RequestId = "dial-1",
        CallSid = Caller,
        Role = ParticipantRole.Attendee,
        LeaseId = lease,
        DialedAt = RoomScript.Start,
    };

    private static ConferenceEventReported Report(ConferenceCallbackEvent kind, int sequence) => new()
    {
        ConferenceSid = RoomScript.ConferenceSid,
        FriendlyName = "standup",
        Kind = kind,
        SequenceNumber = sequence,
        Timestamp = RoomScript.Start.AddSeconds(sequence),
        MessageId = $"m{sequence}",
        CallSid = Caller,
        ReceivedAt = RoomScript.Start.AddSeconds(sequence),
    };

    private static Conference Apply(Conference? conference, IEnumerable<object> events)
    {
        foreach (var e in events)
        {
            conference = (conference, e) switch
            {
                (null, ParticipantDialed d) => Conference.Create(d),
                (null, ConferenceEventReported r) => Conference.Create(r),
                (not null, ParticipantDialed d) => conference.Apply(d),
                (not null, ConferenceEventReported r) => conference.Apply(r),
                (not null, CallerIdReleaseRequested r) => conference.Apply(r),
                _ => throw new InvalidOperationException(e.GetType().Name),
            };
        }

        return conference!;
    }

    [Fact]
    public void A_leased_participants_leave_ends_its_lease_once()
    {
        var joined = Apply(Apply(null, Conference.Decide(null, Dialed(Lease)).Events), Conference.Decide(null, Report(ConferenceCallbackEvent.ParticipantJoin, 1)).Events);

        var leave = Conference.Decide(joined, Report(ConferenceCallbackEvent.ParticipantLeave, 2)).Events;
        var left = Apply(joined, leave);
        var retried = Conference.Decide(left, Report(ConferenceCallbackEvent.ParticipantLeave, 3) with { MessageId = "retry" }).Events;

        var release = Assert.Single(leave.OfType<CallerIdReleaseRequested>());
        Assert.Equal(Lease, release.LeaseId);
        Assert.Empty(retried.OfType<CallerIdReleaseRequested>());
        Assert.Equal(Lease, Assert.IsType<ReleaseCallerId>(ConferenceEventsPublisher.Map(new JasperFx.Events.Event<CallerIdReleaseRequested>(release))).LeaseId);
    }

    [Fact]
    public void A_leave_that_reaches_the_stream_before_the_dials_record_ends_the_lease_with_the_record()
    {
        var left = Apply(null, [Report(ConferenceCallbackEvent.ParticipantJoin, 1), Report(ConferenceCallbackEvent.ParticipantLeave, 2)]);

        var recorded = Conference.Decide(left, Dialed(Lease)).Events;

        Assert.Equal(Lease, Assert.Single(recorded.OfType<CallerIdReleaseRequested>()).LeaseId);
    }

    [Fact]
    public void A_participant_dialled_with_its_own_from_has_no_lease_to_end()
    {
        var joined = Apply(null, [.. Conference.Decide(null, Dialed(null)).Events, Report(ConferenceCallbackEvent.ParticipantJoin, 1)]);

        Assert.Empty(Conference.Decide(joined, Report(ConferenceCallbackEvent.ParticipantLeave, 2)).Events.OfType<CallerIdReleaseRequested>());
    }

    [Fact]
    public void A_failed_dial_ends_its_lease()
    {
        var dial = new ParticipantDialRequested
        {
            FriendlyName = "standup", RequestId = "dial-1", To = "+14155550100", From = "+14155550111", CallerIdPool = "sales", LeaseId = Lease,
            Role = ParticipantRole.Attendee, RequestedAt = RoomScript.Start,
        };
        var room = Room.Create(new RoomCreated { FriendlyName = "standup", RequestId = "open", Options = new RoomOptions(), CreatedAt = RoomScript.Start }).Apply(dial);

        var failed = Assert.IsType<ParticipantDialFailed>(Assert.Single(room.Failed("dial-1", 21215, "Geo permission", RoomScript.Start).Decision.Events));

        Assert.Equal(Lease, Assert.IsType<ReleaseCallerId>(ConferenceEventsPublisher.Map(new JasperFx.Events.Event<ParticipantDialFailed>(failed))).LeaseId);
    }
}
