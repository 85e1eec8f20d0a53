using Microsoft.Extensions.Options;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Conferences.Rooms;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Tests;

public sealed class RoomSpecs
{
    private static RoomCreated Created(int max = 3, string requestId = "create-1") => new()
    {
        FriendlyName = "standup",
        RequestId = requestId,
        Options = new RoomOptions { MaxParticipants = max, EndWhenModeratorLeaves = true, StartOnFirstModerator = true, Record = true },
        CreatedAt = RoomScript.Start,
    };

    private static ParticipantDialRequested Dial(string requestId, ParticipantRole role = ParticipantRole.Attendee) => new()
    {
        FriendlyName = "standup", RequestId = requestId, To = "+14155550100", From = "+15005550006", Role = role, RequestedAt = RoomScript.Start,
    };

    private static Room Open(int max = 3) => Room.Create(Created(max));

    [Fact]
    public void A_new_name_opens_a_room_and_the_same_request_again_changes_nothing()
    {
        Assert.Single(Room.Decide(null, null, Created()).Decision.Events);
        var again = Room.Decide(Open(), null, Created());
        Assert.Empty(again.Decision.Events);
        Assert.Null(again.Rejection);
    }

    [Fact]
    public void Another_request_for_an_open_room_is_refused_and_a_room_whose_conference_ended_opens_again()
    {
        Assert.Equal(ConferenceRejection.ConferenceExists, Room.Decide(Open(), null, Created(requestId: "create-2")).Rejection?.Rejection);
        var ended = RoomScript.Fold(RoomScript.Reports());
        Assert.Single(Room.Decide(Open(), ended, Created(requestId: "create-2")).Decision.Events);
    }

    [Fact]
    public void A_full_room_refuses_the_next_dial_with_the_reason_and_stores_nothing()
    {
        var room = Open(max: 2).Apply(Dial("a")).Apply(Dial("b"));

        var verdict = Room.Decide(room, null, Dial("c"));

        Assert.Equal(ConferenceRejection.ConferenceFull, verdict.Rejection?.Rejection);
        Assert.Contains("2 of 2", verdict.Rejection!.Reason, StringComparison.Ordinal);
        Assert.Empty(verdict.Decision.Events);
    }

    [Fact]
    public void A_failed_dial_frees_its_seat()
    {
        var room = Open(max: 2).Apply(Dial("a")).Apply(Dial("b"));
        room = room.Apply((ParticipantDialFailed)room.Failed("b", 21211, "invalid number", RoomScript.Start).Decision.Events.Single());

        Assert.Single(Room.Decide(room, null, Dial("c")).Decision.Events);
    }

    [Fact]
    public void A_participant_who_left_frees_a_seat_and_one_in_the_room_holds_it()
    {
        var reports = RoomScript.Reports();
        var conference = RoomScript.Fold(reports.Take(2))!;
        var room = Open(max: 2).Apply(Dial("a")).Apply(Dial("b"));
        room = room.Apply((ParticipantDialSucceeded)room.Succeeded("a", RoomScript.Call(0), RoomScript.ConferenceSid, RoomScript.Start).Decision.Events.Single());
        room = room.Apply((ParticipantDialSucceeded)room.Succeeded("b", RoomScript.Call(1), RoomScript.ConferenceSid, RoomScript.Start).Decision.Events.Single());
        Assert.Equal(ConferenceRejection.ConferenceFull, Room.Decide(room, conference, Dial("c")).Rejection?.Rejection);

        var afterLeave = RoomScript.Fold(reports.Take(2).Append(reports.First(r => r.Kind == ConferenceCallbackEvent.ParticipantLeave && r.CallSid == RoomScript.Call(1))));

        Assert.Single(Room.Decide(room, afterLeave, Dial("c")).Decision.Events);
    }

    [Fact]
    public void Dials_into_an_unknown_or_ended_room_are_refused()
    {
        Assert.Equal(ConferenceRejection.UnknownConference, Room.Decide(null, null, Dial("a")).Rejection?.Rejection);
        Assert.Equal(ConferenceRejection.ConferenceEnded, Room.Decide(Open(), RoomScript.Fold(RoomScript.Reports()), Dial("a")).Rejection?.Rejection);
    }

    [Fact]
    public void Twilios_answer_to_a_dial_is_recorded_once_and_names_the_conference()
    {
        var room = Open().Apply(Dial("a"));
        room = room.Apply((ParticipantDialSucceeded)room.Succeeded("a", RoomScript.Call(0), RoomScript.ConferenceSid, RoomScript.Start).Decision.Events.Single());

        Assert.Equal(RoomScript.ConferenceSid, room.ConferenceSid);
        Assert.Empty(room.Succeeded("a", RoomScript.Call(0), RoomScript.ConferenceSid, RoomScript.Start).Decision.Events);
        Assert.Empty(room.Failed("a", 500, "late", RoomScript.Start).Decision.Events);
    }

    [Fact]
    public void A_dial_is_attempted_by_one_delivery_at_a_time_and_an_attempt_in_doubt_is_looked_up_before_the_next()
    {
        var room = Open().Apply(Dial("a"));
        Assert.Equal(CreateStep.Attempt, room.Dial("a")!.Next("delivery-1", RoomScript.Start));

        var attempted = (ParticipantDialAttempted)room.StartAttempt("a", "delivery-1", RoomScript.Start).Decision.Events.Single();
        room = room.Apply(attempted);
        Assert.Equal((1, "delivery-1"), (attempted.Attempt, attempted.DeliveryId));

        // Its owner looks up what the lost answer had created; another delivery waits, until the lease lapses.
        Assert.Equal(CreateStep.LookUp, room.Dial("a")!.Next("delivery-1", RoomScript.Start.AddSeconds(1)));
        Assert.Equal(CreateStep.WaitForOtherDelivery, room.Dial("a")!.Next("delivery-2", RoomScript.Start.AddSeconds(1)));
        Assert.Empty(room.StartAttempt("a", "delivery-2", RoomScript.Start.AddSeconds(1)).Decision.Events);
        Assert.Equal(CreateStep.LookUp, room.Dial("a")!.Next("delivery-2", RoomScript.Start + CreateAttempts.Lease));

        var second = (ParticipantDialAttempted)room.StartAttempt("a", "delivery-1", RoomScript.Start.AddSeconds(2)).Decision.Events.Single();
        Assert.Equal(2, second.Attempt);

        room = room.Apply((ParticipantDialSucceeded)room.Succeeded("a", RoomScript.Call(0), RoomScript.ConferenceSid, RoomScript.Start).Decision.Events.Single());
        Assert.Equal(CreateStep.Finished, room.Dial("a")!.Next("delivery-1", RoomScript.Start.AddSeconds(3)));
        Assert.Null(room.Dial("a")!.AttemptInDoubtSince);
        Assert.Empty(room.StartAttempt("a", "delivery-1", RoomScript.Start.AddSeconds(3)).Decision.Events);
    }

    [Fact]
    public void Every_dial_sets_the_rooms_callbacks_events_and_recording_identically_whatever_the_role()
    {
        var dialer = new TwilioParticipantDialer(null!, Options.Create(new ConferencesOptions { PublicBaseUrl = "https://voice.example.com/" }));
        var room = Open();
        var moderator = dialer.Options(room, Dial("a", ParticipantRole.Moderator));
        var attendee = dialer.Options(room, Dial("b"));
        var coach = dialer.Options(room, Dial("c", ParticipantRole.Coach) with { CallSidToCoach = RoomScript.Call(1) });

        foreach (var options in new[] { moderator, attendee, coach })
        {
            Assert.Equal(new Uri("https://voice.example.com/twilio/conference/status"), options.ConferenceStatusCallback);
            Assert.Equal(["start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"], options.ConferenceStatusCallbackEvent);
            Assert.Equal(new Uri("https://voice.example.com/twilio/recording/status"), options.ConferenceRecordingStatusCallback);
            Assert.Equal("record-from-start", options.ConferenceRecord);
            Assert.Null(options.RecordingStatusCallback);
            Assert.Equal(3, options.MaxParticipants);
            Assert.Equal(new Uri("https://voice.example.com/twilio/voice/status"), options.StatusCallback);
        }

        Assert.Equal((true, true), (moderator.StartConferenceOnEnter, moderator.EndConferenceOnExit));
        Assert.Equal((false, false), (attendee.StartConferenceOnEnter, attendee.EndConferenceOnExit));
        Assert.Equal((true, RoomScript.Call(1)), (coach.Coaching, coach.CallSidToCoach));
    }
}
