using System.Globalization;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Conference;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class ConferenceSpecs : IAsyncLifetime
{
    private const string ConferenceCallback = CallbackReceiver.PublicBaseUrl + "/twilio/conference/status";
    private static List<string> AllEvents => ["start", "end", "join", "leave", "mute", "hold", "modify"];

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync()
    {
        _world = await SimulatorWorld.StartAsync();
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15557000001", Outcome = CallOutcomeKind.Human, TalkSeconds = 10 });
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15557000002", Outcome = CallOutcomeKind.Human, TalkSeconds = 30 });
    }

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Participants_dialled_into_a_room_start_it_and_end_it_when_the_last_one_leaves()
    {
        var first = await AddAsync("+15557000001", "agent");
        var second = await AddAsync("+15557000002", "customer");

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(first.ConferenceSid, second.ConferenceSid);
        Assert.Equal(ParticipantResource.StatusEnum.Queued, first.Status);
        var events = ConferenceCallbacks();
        Assert.Equal(
            ["participant-join", "participant-join", "conference-start", "participant-leave", "participant-leave", "conference-end"],
            events.Select(e => e["StatusCallbackEvent"]));
        Assert.Equal(["1", "2", "3", "4", "5", "6"], events.Select(e => e["SequenceNumber"]));
        Assert.All(events, e =>
        {
            Assert.True(e.SignatureValid);
            Assert.Equal((first.ConferenceSid, "room-1"), (e["ConferenceSid"], e["FriendlyName"]));
        });
        Assert.Equal(("agent", first.CallSid), (events[0]["ParticipantLabel"], events[0]["CallSid"]));
        Assert.Equal(("completed", "participant_hung_up", "Mon, 02 Mar 2026 09:00:14 +0000"),
            (events[3]["ParticipantCallStatus"], events[3]["ReasonParticipantLeft"], events[3]["Timestamp"]));
        Assert.Equal(("last-participant-left", second.CallSid), (events[5]["ReasonConferenceEnded"], events[5]["CallSidEndingConference"]));
        var conference = await ConferenceResource.FetchAsync(first.ConferenceSid, client: _world.Twilio);
        Assert.Equal(ConferenceResource.StatusEnum.Completed, conference.Status);
        Assert.Equal(ConferenceResource.ReasonConferenceEndedEnum.LastParticipantLeft, conference.ReasonConferenceEnded);
    }

    [Fact]
    public async Task Ending_a_room_through_the_api_drops_every_participant()
    {
        var first = await AddAsync("+15557000001", "agent");
        await AddAsync("+15557000002", "customer");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(6));
        Assert.Equal(ConferenceResource.StatusEnum.InProgress,
            Assert.Single(await ConferenceResource.ReadAsync(friendlyName: "room-1", client: _world.Twilio)).Status);

        var ended = await ConferenceResource.UpdateAsync(first.ConferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(ConferenceResource.StatusEnum.Completed, ended.Status);
        var leaves = ConferenceCallbacks().Where(e => e["StatusCallbackEvent"] == "participant-leave").ToList();
        Assert.Equal(2, leaves.Count);
        Assert.All(leaves, l => Assert.Equal("conference_ended_via_api", l["ReasonParticipantLeft"]));
        Assert.Equal("conference-ended-via-api", ConferenceCallbacks()[^1]["ReasonConferenceEnded"]);
        var calls = await CallResource.ReadAsync(client: _world.Twilio);
        Assert.All(calls, c => Assert.Equal(CallResource.StatusEnum.Completed, c.Status));
    }

    [Fact]
    public async Task Muting_and_kicking_participants_sends_their_events()
    {
        var first = await AddAsync("+15557000001", "agent");
        var second = await AddAsync("+15557000002", "customer");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(6));

        var muted = await ParticipantResource.UpdateAsync(first.ConferenceSid, "agent", muted: true, client: _world.Twilio);
        var mutedList = (await ParticipantResource.ReadAsync(first.ConferenceSid, muted: true, client: _world.Twilio)).ToList();
        var kicked = await ParticipantResource.DeleteAsync(first.ConferenceSid, second.CallSid, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));
        var gone = await Assert.ThrowsAsync<ApiException>(() => ParticipantResource.FetchAsync(first.ConferenceSid, second.CallSid, client: _world.Twilio));

        Assert.True(muted.Muted);
        Assert.Equal(first.CallSid, Assert.Single(mutedList).CallSid);
        Assert.True(kicked);
        Assert.Equal(20404, gone.Code);
        var events = ConferenceCallbacks();
        Assert.Equal(("participant-mute", "true"), (events[3]["StatusCallbackEvent"], events[3]["Muted"]));
        Assert.Equal(("participant-leave", "participant_updated_via_api"), (events[4]["StatusCallbackEvent"], events[4]["ReasonParticipantLeft"]));
        Assert.Equal(CallResource.StatusEnum.Completed, (await CallResource.FetchAsync(second.CallSid, client: _world.Twilio)).Status);
        Assert.Equal(ConferenceResource.StatusEnum.InProgress, (await ConferenceResource.FetchAsync(first.ConferenceSid, client: _world.Twilio)).Status);
    }

    [Fact]
    public async Task A_participant_with_end_conference_on_exit_ends_the_room_when_it_hangs_up()
    {
        var moderator = await AddAsync("+15557000001", "moderator", endConferenceOnExit: true);
        var other = await AddAsync("+15557000002", "customer");

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var end = ConferenceCallbacks()[^1];
        Assert.Equal(("participant-with-end-conference-on-exit-left", moderator.CallSid), (end["ReasonConferenceEnded"], end["CallSidEndingConference"]));
        var otherCall = await CallResource.FetchAsync(other.CallSid, client: _world.Twilio);
        Assert.Equal(("10", CallResource.StatusEnum.Completed), (otherCall.Duration, otherCall.Status));
    }

    private Task<ParticipantResource> AddAsync(string to, string label, bool endConferenceOnExit = false) =>
        ParticipantResource.CreateAsync(
            "room-1", from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber(to), label: label,
            conferenceStatusCallback: new Uri(ConferenceCallback), conferenceStatusCallbackEvent: AllEvents,
            endConferenceOnExit: endConferenceOnExit, client: _world.Twilio);

    private List<ReceivedWebhook> ConferenceCallbacks() =>
        [.. _world.Receiver.Received.Where(r => r.PathAndQuery == "/twilio/conference/status")
            .OrderBy(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture))];
}
