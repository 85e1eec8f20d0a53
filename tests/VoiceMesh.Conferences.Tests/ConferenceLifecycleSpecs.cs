using System.Text.Json;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Tests;

public sealed class ConferenceLifecycleSpecs
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public void The_scripted_room_ends_with_every_participant_left_and_their_last_flags()
    {
        var conference = RoomScript.Fold(RoomScript.Reports())!;

        Assert.Equal(ConferenceStatus.Completed, conference.Status);
        Assert.Equal(RoomScript.Start.AddSeconds(2), conference.StartedAt);
        Assert.Equal(ConferenceEndedReason.ParticipantWithEndConferenceOnExitLeft, conference.ReasonConferenceEnded);
        Assert.Equal(RoomScript.Call(0), conference.CallSidEndingConference);
        Assert.Equal(6, conference.Participants.Count);
        Assert.All(conference.Participants, p => Assert.Equal(ParticipantStatus.Left, p.Status));
        Assert.All(conference.Participants, p => Assert.False(p.Muted || p.Hold));
        Assert.Equal(RoomScript.Start, conference.Participants[0].JoinedAt);
        Assert.Equal(ParticipantLeftReason.ParticipantUpdatedViaApi, conference.Participants.Single(p => p.CallSid == RoomScript.Call(5)).ReasonLeft);
        Assert.Equal(7, conference.Participants.Single(p => p.CallSid == RoomScript.Call(4)).TalkSeconds);
        Assert.Equal("moderator", conference.Participants[0].Label);
    }

    [Fact]
    public void Mid_room_the_flags_are_those_of_each_participants_latest_report()
    {
        var reports = RoomScript.Reports();
        var upToHold = reports.TakeWhile(r => r.Kind != ConferenceCallbackEvent.ParticipantSpeechStart).ToList();

        var conference = RoomScript.Fold(Enumerable.Reverse(upToHold))!;

        Assert.Equal(ConferenceStatus.InProgress, conference.Status);
        Assert.True(conference.Present(RoomScript.Call(1))!.Muted);
        Assert.True(conference.Present(RoomScript.Call(2))!.Muted);
        Assert.True(conference.Present(RoomScript.Call(3))!.Hold);
        Assert.False(conference.Present(RoomScript.Call(4))!.Muted);
    }

    [Fact]
    public void Twenty_random_arrival_orders_with_duplicates_give_identical_read_models()
    {
        var reports = RoomScript.Reports();
        var (room, stream) = RoomScript.Replay(reports);
        var expected = JsonSerializer.Serialize(ConferenceResponse.Of(room!, stream), Json);
        var random = new Random(20261130);

        for (var run = 0; run < 20; run++)
        {
            var arrivals = new List<ConferenceEventReported>(reports);
            foreach (var duplicate in reports.Where(_ => random.NextDouble() < 0.3))
            {
                // A redelivery (same message id) or Twilio's retry of the same event under another id.
                arrivals.Add(random.Next(2) == 0 ? duplicate : duplicate with { MessageId = $"retry-{run}-{duplicate.MessageId}", ReceivedAt = duplicate.ReceivedAt.AddSeconds(9) });
            }

            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(arrivals));
            var (folded, taken) = RoomScript.Replay(arrivals);

            Assert.Equal(reports.Count, taken.Count);
            Assert.Equal(expected, JsonSerializer.Serialize(ConferenceResponse.Of(folded!, taken), Json));
        }
    }

    [Fact]
    public void A_report_the_stream_holds_under_another_message_id_appends_nothing()
    {
        var reports = RoomScript.Reports();
        var conference = RoomScript.Fold(reports.Take(3));

        Assert.Empty(Conference.Decide(conference, reports[1] with { MessageId = "twilio-retry" }).Events);
        Assert.Empty(Conference.Decide(conference, reports[2]).Events);
        Assert.Single(Conference.Decide(conference, reports[3]).Events);
    }

    [Fact]
    public void The_document_does_not_grow_with_the_rooms_mute_reports_beyond_their_sequence_numbers()
    {
        var reports = RoomScript.Reports();
        var running = RoomScript.Fold(reports.TakeWhile(r => r.Kind != ConferenceCallbackEvent.ParticipantHold))!;
        var last = running.Sequences.Max;
        var mute = reports.First(r => r is { Kind: ConferenceCallbackEvent.ParticipantMute, Muted: true });

        var conference = running;
        for (var i = 1; i <= 1000; i++)
        {
            var report = mute with { SequenceNumber = last + i, MessageId = $"flip-{i}", Muted = i % 2 == 0, Timestamp = mute.Timestamp!.Value.AddMilliseconds(i) };
            conference = conference.Apply((ConferenceEventReported)Conference.Decide(conference, report).Events.Single());
        }

        // Each report leaves its sequence number behind (at most 5 characters and a comma here), nothing else.
        var growth = JsonSerializer.Serialize(conference, Json).Length - JsonSerializer.Serialize(running, Json).Length;
        Assert.InRange(growth, 0, 1000 * 6 + 400);
        Assert.True(conference.Present(mute.CallSid!)!.Muted);
    }

    [Fact]
    public void A_participant_link_points_at_its_call_lifecycle()
    {
        var (conference, stream) = RoomScript.Replay(RoomScript.Reports());
        var response = ConferenceResponse.Of(conference!, stream);

        Assert.Equal($"/api/calls/{RoomScript.Call(3)}", response.Participants.Single(p => p.CallSid == RoomScript.Call(3)).Call);
        Assert.Equal(("completed", "left"), (response.Status, response.Participants[0].Status));
    }

    [Fact]
    public void A_recording_moves_to_completed_once_and_keeps_its_url()
    {
        var conference = RoomScript.Fold(RoomScript.Reports().Take(2));
        ConferenceRecordingReported Reported(string status, string? url) => new()
        {
            ConferenceSid = RoomScript.ConferenceSid, RecordingSid = "RE" + new string('a', 32), Status = status, RecordingUrl = url,
            MessageId = status, ReceivedAt = RoomScript.Start,
        };

        var started = Reported("in-progress", "https://api.twilio.com/r");
        conference = conference!.Apply(started);
        var completed = Reported("completed", null) with { DurationSeconds = 12 };
        conference = conference.Apply((ConferenceRecordingReported)Conference.Decide(conference, completed).Events.Single());

        Assert.Equal(new ConferenceRecording(started.RecordingSid, "completed", "https://api.twilio.com/r", 12), conference.Recordings.Single());
        Assert.Empty(Conference.Decide(conference, started).Events);
    }

    [Fact]
    public void A_callback_naming_another_account_than_the_conferences_first_one_changes_nothing()
    {
        const string Account = "AC00000000000000000000000000000001";
        const string Other = "AC00000000000000000000000000000002";
        var reports = RoomScript.Reports().Select(r => r with { AccountSid = Account }).ToList();
        var conference = RoomScript.Fold(reports.Take(3))!;
        var recording = new ConferenceRecordingReported
        {
            ConferenceSid = RoomScript.ConferenceSid, RecordingSid = "RE" + new string('b', 32), Status = "completed", MessageId = "recording",
            ReceivedAt = RoomScript.Start, AccountSid = Other,
        };

        Assert.Equal(Account, conference.AccountSid);
        Assert.Empty(Conference.Decide(conference, reports[3] with { AccountSid = Other }).Events);
        Assert.Empty(Conference.Decide(conference, recording).Events);
        Assert.Single(Conference.Decide(conference, reports[3]).Events);
        Assert.Single(Conference.Decide(conference, recording with { AccountSid = Account }).Events);
    }

    [Fact]
    public void A_conference_voicemesh_dialled_belongs_to_the_account_it_dialled_with_before_any_callback()
    {
        var dialed = new ParticipantDialed
        {
            ConferenceSid = RoomScript.ConferenceSid, FriendlyName = "room", RequestId = "dial-1", CallSid = RoomScript.Call(0),
            Role = ParticipantRole.Moderator, DialedAt = RoomScript.Start, AccountSid = "AC00000000000000000000000000000001",
        };
        var conference = Conference.Create(dialed);
        var forged = RoomScript.Reports()[0] with { AccountSid = "AC00000000000000000000000000000002" };

        Assert.Empty(Conference.Decide(conference, forged).Events);
        Assert.Single(Conference.Decide(conference, forged with { AccountSid = dialed.AccountSid }).Events);
    }

    [Fact]
    public void Reports_stored_before_accounts_were_recorded_refuse_nothing()
    {
        var conference = RoomScript.Fold(RoomScript.Reports().Take(3))!;

        Assert.Null(conference.AccountSid);
        Assert.Single(Conference.Decide(conference, RoomScript.Reports()[3] with { AccountSid = "AC00000000000000000000000000000002" }).Events);
    }
}
