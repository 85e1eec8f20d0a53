using System.Globalization;
using System.Net.Http.Json;
using Twilio.Exceptions;
using TwilioHttpMethod = Twilio.Http.HttpMethod;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Conference;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>Participants update/create fields and conference update through the Twilio SDK, with their callbacks (REFERENCE §3, §12).</summary>
public sealed class ParticipantControlSpecs : IAsyncLifetime
{
    private const string ConferencePath = "/twilio/conference/status";
    private static readonly List<string> AllEvents = ["start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement"];

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync(o => o.WebhookConcurrency = 1);

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Coaching_needs_a_call_sid_to_coach_that_is_in_the_room()
    {
        var (agent, customer) = await RoomAsync();

        var missing = await Assert.ThrowsAsync<ApiException>(() =>
            ParticipantResource.UpdateAsync(agent.ConferenceSid, "agent", coaching: true, client: _world.Twilio));
        var absent = await Assert.ThrowsAsync<ApiException>(() =>
            ParticipantResource.UpdateAsync(agent.ConferenceSid, "agent", coaching: true, callSidToCoach: "CA00000000000000000000000000000000", client: _world.Twilio));
        var itself = await Assert.ThrowsAsync<ApiException>(() =>
            ParticipantResource.UpdateAsync(agent.ConferenceSid, "agent", callSidToCoach: agent.CallSid, client: _world.Twilio));
        var coaching = await ParticipantResource.UpdateAsync(agent.ConferenceSid, "agent", coaching: true, callSidToCoach: customer.CallSid, client: _world.Twilio);
        var coaches = await ParticipantResource.ReadAsync(agent.ConferenceSid, coaching: true, client: _world.Twilio);
        var stopped = await ParticipantResource.UpdateAsync(agent.ConferenceSid, "agent", coaching: false, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.Zero);

        Assert.Equal((400, 20001), (missing.Status, missing.Code));
        Assert.Contains("CallSidToCoach", missing.Message, StringComparison.Ordinal);
        Assert.Equal((400, 16028), (absent.Status, absent.Code));
        Assert.Contains("CallSidToCoach", absent.Message, StringComparison.Ordinal);
        Assert.Equal(16028, itself.Code);
        Assert.Equal((true, customer.CallSid), (coaching.Coaching, coaching.CallSidToCoach));
        Assert.Equal(agent.CallSid, Assert.Single(coaches).CallSid);
        Assert.Equal((false, null), (stopped.Coaching, stopped.CallSidToCoach));
        var modifies = Events("participant-modify");
        Assert.Equal(["true", "false"], modifies.Select(m => m["Coaching"]));
        Assert.All(modifies, m => Assert.Equal(("agent", agent.CallSid), (m["ParticipantLabel"], m["CallSid"])));
    }

    [Fact]
    public async Task A_participant_created_as_a_coach_shows_it_in_its_json_and_the_record()
    {
        var (agent, customer) = await RoomAsync();

        var supervisor = await ParticipantResource.CreateAsync(
            agent.ConferenceSid, from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber("+15557200003"), label: "supervisor",
            coaching: true, callSidToCoach: agent.CallSid, muted: true, beep: "onEnter", client: _world.Twilio);
        var notPresent = await Assert.ThrowsAsync<ApiException>(() => ParticipantResource.CreateAsync(
            agent.ConferenceSid, from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber("+15557200004"),
            callSidToCoach: supervisor.CallSid, client: _world.Twilio));
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Equal((true, agent.CallSid, true, "0"), (supervisor.Coaching, supervisor.CallSidToCoach, supervisor.Muted, supervisor.QueueTime));
        Assert.Equal(16028, notPresent.Code);
        var fetched = await ParticipantResource.FetchAsync(agent.ConferenceSid, "supervisor", client: _world.Twilio);
        Assert.Equal((ParticipantResource.StatusEnum.Connected, null), (fetched.Status, fetched.QueueTime));
        var record = _world.Control.ConferenceRecord(agent.ConferenceSid)!;
        Assert.Equal((true, agent.CallSid, true), (record.Participants[2].Coaching, record.Participants[2].CallSidToCoach, record.Participants[2].Muted));
        Assert.Equal("true", Events("participant-join")[2]["Coaching"]);
        Assert.Equal(customer.CallSid, record.Participants[1].CallSid);
    }

    [Fact]
    public async Task Holding_with_a_hold_url_fetches_it_with_get_as_a_signed_hold_webhook()
    {
        var (agent, _) = await RoomAsync();
        _world.Receiver.Serve("/hold-music", _ => new Reply(200, "audio/mpeg", "ID3"));

        var held = await ParticipantResource.UpdateAsync(
            agent.ConferenceSid, agent.CallSid, hold: true, holdUrl: new Uri(SimulatorWorld.Url("/hold-music")), client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));
        var back = await ParticipantResource.UpdateAsync(agent.ConferenceSid, agent.CallSid, hold: false, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.Zero);

        Assert.True(held.Hold);
        Assert.False(back.Hold);
        var fetch = Assert.Single(_world.Receiver.At("/hold-music"));
        Assert.True(fetch.SignatureValid);
        Assert.Equal("GET", fetch.Method);
        Assert.Contains($"CallSid={agent.CallSid}", fetch.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains($"ConferenceSid={agent.ConferenceSid}", fetch.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal("hold", Assert.Single(_world.Control.Webhooks, w => w.Url.Contains("/hold-music", StringComparison.Ordinal)).Kind);
        Assert.Equal(["participant-hold", "participant-unhold"],
            AllConferenceEvents().Select(e => e["StatusCallbackEvent"]).Where(e => e.Contains("hold", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_announcement_to_a_participant_ends_with_announcement_end_and_a_failed_one_for_the_room_with_announcement_fail()
    {
        var (agent, _) = await RoomAsync();
        _world.Receiver.Serve("/announce", _ => Reply.Xml("<Response><Say>Your call is being recorded</Say></Response>"));
        _world.Receiver.Serve("/broken", _ => new Reply(500, null, null));

        await ParticipantResource.UpdateAsync(agent.ConferenceSid, "agent", announceUrl: new Uri(SimulatorWorld.Url("/announce")), client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.Zero);
        await ConferenceResource.UpdateAsync(
            agent.ConferenceSid, announceUrl: new Uri(SimulatorWorld.Url("/broken")), announceMethod: TwilioHttpMethod.Get, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.Zero);

        Assert.Equal("POST", Assert.Single(_world.Receiver.At("/announce")).Method);
        Assert.All(_world.Receiver.At("/broken"), b => Assert.Equal("GET", b.Method));
        var end = Assert.Single(Events("announcement-end"));
        Assert.Equal((SimulatorWorld.Url("/announce"), agent.CallSid, "agent"), (end["AnnounceUrl"], end["CallSid"], end["ParticipantLabel"]));
        var fail = Assert.Single(Events("announcement-fail"));
        Assert.Equal(SimulatorWorld.Url("/broken"), fail["AnnounceUrl"]);
        Assert.Contains("500", fail["ReasonAnnouncementFailed"], StringComparison.Ordinal);
        Assert.False(fail.Form.ContainsKey("CallSid"));
        Assert.All(AllConferenceEvents(), e => Assert.True(e.SignatureValid));
    }

    [Fact]
    public async Task End_conference_on_exit_and_beep_on_exit_changes_send_one_participant_modify_per_update()
    {
        var (agent, customer) = await RoomAsync();

        var updated = await ParticipantResource.UpdateAsync(agent.ConferenceSid, "customer", endConferenceOnExit: true, beepOnExit: true, client: _world.Twilio);
        await ParticipantResource.UpdateAsync(agent.ConferenceSid, "customer", beepOnExit: true, client: _world.Twilio);
        await ParticipantResource.UpdateAsync(agent.ConferenceSid, "customer", beepOnExit: false, client: _world.Twilio);
        await ParticipantResource.DeleteAsync(agent.ConferenceSid, "customer", client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.True(updated.EndConferenceOnExit);
        var modifies = Events("participant-modify");
        Assert.Equal(2, modifies.Count);
        Assert.All(modifies, m => Assert.Equal(("true", customer.CallSid), (m["EndConferenceOnExit"], m["CallSid"])));
        var end = Assert.Single(Events("conference-end"));
        Assert.Equal(("participant-with-end-conference-on-exit-kicked", customer.CallSid, "customer"),
            (end["ReasonConferenceEnded"], end["CallSidEndingConference"], end["ParticipantLabelEndingConference"]));
        Assert.Equal("participant-with-end-conference-on-exit-kicked", end["Reason"]);
        Assert.Equal("moderator_ended_conference", Events("participant-leave").Single(l => l["CallSid"] == agent.CallSid)["ReasonParticipantLeft"]);
    }

    [Fact]
    public async Task A_join_beyond_max_participants_fails_the_participant_with_participant_add_failed()
    {
        var (agent, _) = await RoomAsync(maxParticipants: 2);

        var third = await ParticipantResource.CreateAsync(
            agent.ConferenceSid, from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber("+15557200003"), label: "third", client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(ParticipantResource.StatusEnum.Queued, third.Status);
        var leave = Assert.Single(Events("participant-leave"));
        Assert.Equal((third.CallSid, "participant_add_failed", "third"), (leave["CallSid"], leave["ReasonParticipantLeft"], leave["ParticipantLabel"]));
        Assert.DoesNotContain(Events("participant-join"), j => j["CallSid"] == third.CallSid);
        Assert.Equal(2, (await ParticipantResource.ReadAsync(agent.ConferenceSid, client: _world.Twilio)).Count());
        Assert.Equal(CallResource.StatusEnum.Completed, (await CallResource.FetchAsync(third.CallSid, client: _world.Twilio)).Status);
        var failed = _world.Control.ConferenceRecord(agent.ConferenceSid)!.Participants[2];
        Assert.Equal((third.CallSid, null, "participant_add_failed"), (failed.CallSid, failed.JoinedAt, failed.ReasonLeft));
    }

    [Theory]
    [InlineData("MaxParticipants", "1")]
    [InlineData("MaxParticipants", "251")]
    [InlineData("MaxParticipants", "many")]
    [InlineData("Beep", "loud")]
    [InlineData("Coaching", "true")]
    [InlineData("TimeLimit", "0")]
    public async Task Participants_create_with_an_invalid_field_is_400_naming_it(string field, string value)
    {
        var (status, code, message) = await PostRawAsync("Conferences/room-bad/Participants.json", new()
        {
            ["From"] = SimulatorWorld.From, ["To"] = "+15557200001", [field] = value,
        });

        Assert.Equal((400, 20001), (status, code));
        Assert.Contains(field == "Coaching" ? "CallSidToCoach" : field, message, StringComparison.Ordinal);
        Assert.Empty(await CallResource.ReadAsync(client: _world.Twilio));
        Assert.Null(_world.Control.ConferenceRecord("room-bad"));
    }

    [Theory]
    [InlineData("HoldUrl", "ftp://voice.example.com/music")]
    [InlineData("AnnounceUrl", "not a url")]
    public async Task Participants_update_with_an_invalid_url_is_400_and_changes_nothing(string field, string value)
    {
        var (agent, _) = await RoomAsync();

        var error = await Assert.ThrowsAsync<ApiException>(() => field == "HoldUrl"
            ? ParticipantResource.UpdateAsync(agent.ConferenceSid, "agent", hold: true, holdUrl: new Uri(value), client: _world.Twilio)
            : ParticipantResource.UpdateAsync(agent.ConferenceSid, "agent", muted: true, announceUrl: new Uri(value, UriKind.Relative), client: _world.Twilio));
        await _world.AdvanceAsync(TimeSpan.Zero);

        Assert.Equal((400, 21205), (error.Status, error.Code));
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        var participant = await ParticipantResource.FetchAsync(agent.ConferenceSid, "agent", client: _world.Twilio);
        Assert.Equal((false, false), (participant.Hold, participant.Muted));
        Assert.Empty(Events("participant-hold").Concat(Events("participant-mute")));
    }

    [Fact]
    public async Task Updating_a_completed_conference_is_400_and_a_bad_status_or_announce_url_too()
    {
        var (agent, _) = await RoomAsync();
        var badStatus = await PostRawAsync($"Conferences/{agent.ConferenceSid}.json", new() { ["Status"] = "in-progress" });
        var badUrl = await PostRawAsync($"Conferences/{agent.ConferenceSid}.json", new() { ["AnnounceUrl"] = "mailto:x@example.com" });

        await ConferenceResource.UpdateAsync(agent.ConferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        var again = await Assert.ThrowsAsync<ApiException>(() =>
            ConferenceResource.UpdateAsync(agent.ConferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio));
        var announce = await Assert.ThrowsAsync<ApiException>(() =>
            ConferenceResource.UpdateAsync(agent.ConferenceSid, announceUrl: new Uri(SimulatorWorld.Url("/announce")), client: _world.Twilio));
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal((400, 20001), (badStatus.Status, badStatus.Code));
        Assert.Equal((400, 21205), (badUrl.Status, badUrl.Code));
        Assert.Contains("AnnounceUrl", badUrl.Message, StringComparison.Ordinal);
        Assert.Equal((400, 400), (again.Status, announce.Status));
        Assert.Contains("completed", again.Message, StringComparison.Ordinal);
        Assert.Single(Events("conference-end"));
        Assert.Empty(_world.Receiver.At("/announce"));
        Assert.Equal(ConferenceResource.StatusEnum.Completed, (await ConferenceResource.FetchAsync(agent.ConferenceSid, client: _world.Twilio)).Status);
    }

    [Fact]
    public async Task Conference_callbacks_are_duplicated_and_reordered_by_the_webhook_chaos_like_call_callbacks()
    {
        _world.Control.WebhookChaos = new WebhookChaos { Duplicate = 1, Reorder = 1, Seed = 7 };
        var (agent, _) = await RoomAsync();
        await ConferenceResource.UpdateAsync(agent.ConferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        var attempts = _world.Control.Webhooks.Where(w => w.Kind == "conference").ToList();
        Assert.Contains(attempts, a => a.Reordered);
        Assert.Contains(attempts, a => a.Duplicate);
        var received = _world.Receiver.At(ConferencePath);
        var sequence = received.Select(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture)).ToList();
        Assert.NotEqual(sequence.Order(), sequence);
        Assert.Equal(Enumerable.Range(1, sequence.Max()), sequence.Distinct().Order());
        Assert.All(received.GroupBy(r => r["SequenceNumber"]), g => Assert.Single(g.Select(r => r.IdempotencyToken).Distinct()));
        Assert.Equal(received.Count, _world.Control.Webhooks.Count(w => w.Kind == "conference" && !w.Dropped));
    }

    /// <summary>Two answered participants, "agent" and "customer", in room-1 with every conference event subscribed.</summary>
    private async Task<(ParticipantResource Agent, ParticipantResource Customer)> RoomAsync(int? maxParticipants = null)
    {
        var agent = await ParticipantResource.CreateAsync(
            "room-1", from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber("+15557200001"), label: "agent",
            conferenceStatusCallback: new Uri(SimulatorWorld.Url(ConferencePath)), conferenceStatusCallbackEvent: AllEvents,
            maxParticipants: maxParticipants, client: _world.Twilio);
        var customer = await ParticipantResource.CreateAsync(
            "room-1", from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber("+15557200002"), label: "customer", client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));
        return (agent, customer);
    }

    /// <summary>POSTs a form the SDK's types would not let through; returns the status and the Twilio error's code and message.</summary>
    private async Task<(int Status, int Code, string Message)> PostRawAsync(string path, Dictionary<string, string> form)
    {
        using var http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(
            System.Text.Encoding.ASCII.GetBytes($"{SimulatorWorld.AccountSid}:{SimulatorWorld.AuthToken}")));
        using var response = await http.PostAsync(
            new Uri($"/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/{path}", UriKind.Relative), new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);
        var json = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, json.TryGetProperty("code", out var code) ? code.GetInt32() : 0,
            json.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "");
    }

    private List<ReceivedWebhook> Events(string name) => [.. AllConferenceEvents().Where(e => e["StatusCallbackEvent"] == name)];

    private List<ReceivedWebhook> AllConferenceEvents() =>
        [.. _world.Receiver.At(ConferencePath).OrderBy(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture))];
}
