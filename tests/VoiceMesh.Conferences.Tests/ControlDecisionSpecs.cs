using VoiceMesh.Conferences.Control;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Conferences.Outbox;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Tests;

public sealed class ControlDecisionSpecs
{
    private static readonly List<ConferenceEventReported> Script = RoomScript.Reports();

    /// <summary>The room after everyone joined and 1 and 2 were muted.</summary>
    private static Conference Running() =>
        RoomScript.Fold(Script.TakeWhile(r => r.Kind != ConferenceCallbackEvent.ParticipantHold))!;

    private static ConferenceActionRequested Request(ConferenceAction action, string? callSid = null, string requestId = "r1") => new()
    {
        ConferenceSid = RoomScript.ConferenceSid, RequestId = requestId, Action = action, CallSid = callSid, RequestedAt = RoomScript.Start.AddMinutes(1),
    };

    [Fact]
    public void Muting_a_participant_in_the_room_is_stored_as_the_decision()
    {
        var request = Request(ConferenceAction.Mute, RoomScript.Call(4));

        var verdict = ControlDecisions.Decide(Running(), request);

        Assert.Null(verdict.Rejection);
        Assert.Equal(request, Assert.Single(verdict.Decision.Events));
    }

    [Fact]
    public void The_same_request_again_changes_nothing()
    {
        var request = Request(ConferenceAction.Hold, RoomScript.Call(3)) with { HoldUrl = "https://music.example.com/hold.mp3" };
        var conference = Running().Apply(request);

        var verdict = ControlDecisions.Decide(conference, request);

        Assert.Null(verdict.Rejection);
        Assert.Empty(verdict.Decision.Events);
    }

    [Theory]
    [InlineData(ConferenceAction.Mute)]
    [InlineData(ConferenceAction.Remove)]
    [InlineData(ConferenceAction.End)]
    [InlineData(ConferenceAction.Announce)]
    public void Any_command_against_an_ended_room_is_refused_as_ended_and_stores_nothing(ConferenceAction action)
    {
        var ended = RoomScript.Fold(Script)!;

        var verdict = ControlDecisions.Decide(ended, Request(action, action.IsParticipantAction() ? RoomScript.Call(1) : null));

        Assert.Equal(ConferenceRejection.ConferenceEnded, verdict.Rejection?.Rejection);
        Assert.Empty(verdict.Decision.Events);
    }

    [Fact]
    public void A_command_for_a_call_not_in_the_room_is_refused_naming_the_call()
    {
        var stranger = RoomScript.Call(99);

        var verdict = ControlDecisions.Decide(Running(), Request(ConferenceAction.Unmute, stranger));

        Assert.Equal((ConferenceRejection.UnknownParticipant, "CallSid"), (verdict.Rejection?.Rejection, verdict.Rejection?.Field));
        Assert.Contains(stranger, verdict.Rejection!.Reason, StringComparison.Ordinal);
        Assert.Empty(verdict.Decision.Events);
    }

    [Fact]
    public void A_participant_who_left_is_unknown_to_the_controls()
    {
        var afterRemoval = RoomScript.Fold(Script.TakeWhile(r => r.CallSid != RoomScript.Call(0) || r.Kind != ConferenceCallbackEvent.ParticipantLeave))!;

        var verdict = ControlDecisions.Decide(afterRemoval, Request(ConferenceAction.Mute, RoomScript.Call(5)));

        Assert.Equal(ConferenceRejection.UnknownParticipant, verdict.Rejection?.Rejection);
    }

    [Fact]
    public void An_unknown_conference_is_refused_as_unknown()
    {
        var verdict = ControlDecisions.Decide(null, Request(ConferenceAction.End));

        Assert.Equal(ConferenceRejection.UnknownConference, verdict.Rejection?.Rejection);
    }

    [Fact]
    public void A_coach_needs_its_target_in_the_room()
    {
        var request = Request(ConferenceAction.Coach, RoomScript.Call(1)) with { CallSidToCoach = RoomScript.Call(42) };

        var verdict = ControlDecisions.Decide(Running(), request);

        Assert.Equal((ConferenceRejection.UnknownParticipant, "CallSidToCoach"), (verdict.Rejection?.Rejection, verdict.Rejection?.Field));
    }

    [Fact]
    public void Coaching_shows_on_the_participant_once_twilio_reports_it()
    {
        var coach = Request(ConferenceAction.Coach, RoomScript.Call(1)) with { CallSidToCoach = RoomScript.Call(2) };
        var conference = Running().Apply(coach);
        var modified = Script[0] with
        {
            Kind = ConferenceCallbackEvent.ParticipantModify, CallSid = RoomScript.Call(1), Label = null, Coaching = true, Muted = true,
            SequenceNumber = 100, MessageId = "modify", Timestamp = RoomScript.Start.AddMinutes(2),
        };

        conference = conference.Apply(modified);

        var participant = conference.Present(RoomScript.Call(1))!;
        Assert.Equal((true, RoomScript.Call(2)), (participant.Coaching, participant.CallSidToCoach));
    }

    [Theory]
    [InlineData(ConferenceAction.Mute, typeof(ApplyParticipantChange))]
    [InlineData(ConferenceAction.Hold, typeof(ApplyParticipantChange))]
    [InlineData(ConferenceAction.Coach, typeof(ApplyParticipantChange))]
    [InlineData(ConferenceAction.Remove, typeof(KickParticipant))]
    [InlineData(ConferenceAction.Announce, typeof(PlayConferenceAnnouncement))]
    [InlineData(ConferenceAction.End, typeof(CompleteConference))]
    public void The_outbox_performs_each_stored_action_with_its_twilio_request(ConferenceAction action, Type expected)
    {
        var stored = new JasperFx.Events.Event<ConferenceActionRequested>(
            Request(action, RoomScript.Call(1)) with { AnnounceUrl = "https://a.example.com/x.mp3", HoldUrl = "https://h.example.com/m.mp3", CallSidToCoach = RoomScript.Call(2) });

        var message = ConferenceEventsPublisher.Map(stored);

        Assert.IsType(expected, message);
    }

    [Fact]
    public void Unmute_and_unhold_send_false_and_hold_sends_its_music()
    {
        ApplyParticipantChange Map(ConferenceActionRequested e) => (ApplyParticipantChange)ConferenceEventsPublisher.Map(new JasperFx.Events.Event<ConferenceActionRequested>(e))!;

        Assert.Equal((false, (bool?)null), (Map(Request(ConferenceAction.Unmute, RoomScript.Call(1))).Muted, Map(Request(ConferenceAction.Unmute, RoomScript.Call(1))).Hold));
        Assert.False(Map(Request(ConferenceAction.Unhold, RoomScript.Call(1))).Hold);
        var hold = Map(Request(ConferenceAction.Hold, RoomScript.Call(1)) with { HoldUrl = "https://h.example.com/m.mp3" });
        Assert.Equal((true, "https://h.example.com/m.mp3", (bool?)null), (hold.Hold, hold.HoldUrl, hold.Muted));
    }

    [Fact]
    public void A_copy_of_an_older_mute_arriving_after_a_newer_unmute_is_stale_and_not_performed()
    {
        var mute = Request(ConferenceAction.Mute, RoomScript.Call(4), "mute-1");
        var unmute = Request(ConferenceAction.Unmute, RoomScript.Call(4), "unmute-1");
        var hold = Request(ConferenceAction.Hold, RoomScript.Call(4), "hold-1");
        var conference = Running().Apply(mute).Apply(unmute).Apply(hold);
        ApplyParticipantChange Change(ConferenceActionRequested e) => (ApplyParticipantChange)ControlActions.Message(e);

        Assert.False(ControlActions.IsLatest(conference, Change(mute)));
        Assert.True(ControlActions.IsLatest(conference, Change(unmute)));
        Assert.True(ControlActions.IsLatest(conference, Change(hold)));
        Assert.False(ControlActions.IsLatest(conference, Change(Request(ConferenceAction.Mute, RoomScript.Call(4), "never-stored"))));
    }

    [Fact]
    public void Every_action_but_an_announcement_is_also_performed_at_once_after_its_commit()
    {
        Assert.All(Enum.GetValues<ConferenceAction>().Where(a => a != ConferenceAction.Announce), a => Assert.True(a.IsPrompt()));
        Assert.False(ConferenceAction.Announce.IsPrompt());
    }
}
