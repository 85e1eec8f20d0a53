using System.Globalization;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Conference;
using Twilio.Types;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>Conference participants stay until something ends them, not for <c>TalkDuration</c>; <c>TimeLimit</c> caps every call.</summary>
public sealed class ConferenceDurationSpecs : IAsyncLifetime
{
    private const string ConferencePath = "/twilio/conference/status";

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task A_moderator_holds_the_room_open_past_twenty_seconds_and_ends_it_when_its_call_is_hung_up()
    {
        var moderator = await AddAsync("+15557100001", "moderator", endConferenceOnExit: true);
        var customer = await AddAsync("+15557100002", "customer");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(10));

        var running = await ConferenceResource.FetchAsync(moderator.ConferenceSid, client: _world.Twilio);
        var present = await ParticipantResource.ReadAsync(moderator.ConferenceSid, client: _world.Twilio);
        await CallResource.UpdateAsync(moderator.CallSid, status: CallResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(ConferenceResource.StatusEnum.InProgress, running.Status);
        Assert.Equal(2, present.Count());
        var end = Events()[^1];
        Assert.Equal(("conference-end", "participant-with-end-conference-on-exit-left", moderator.CallSid),
            (end["StatusCallbackEvent"], end["ReasonConferenceEnded"], end["CallSidEndingConference"]));
        Assert.Equal("moderator", end["ParticipantLabelEndingConference"]);
        var customerCall = await CallResource.FetchAsync(customer.CallSid, client: _world.Twilio);
        Assert.Equal((CallResource.StatusEnum.Completed, "596"), (customerCall.Status, customerCall.Duration));
        Assert.Equal("moderator_ended_conference", _world.Control.ConferenceRecord(moderator.ConferenceSid)!.Participants[1].ReasonLeft);
    }

    [Fact]
    public async Task A_participant_leaves_when_its_time_limit_passes()
    {
        var host = await AddAsync("+15557100001", "host");
        var guest = await AddAsync("+15557100002", "guest", timeLimit: 60);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(5));

        var leave = Assert.Single(Events(), e => e["StatusCallbackEvent"] == "participant-leave");
        Assert.Equal((guest.CallSid, "completed", "participant_hung_up", "Mon, 02 Mar 2026 09:01:04 +0000"),
            (leave["CallSid"], leave["ParticipantCallStatus"], leave["ReasonParticipantLeft"], leave["Timestamp"]));
        var guestCall = await CallResource.FetchAsync(guest.CallSid, client: _world.Twilio);
        Assert.Equal((CallResource.StatusEnum.Completed, "60"), (guestCall.Status, guestCall.Duration));
        Assert.Equal(ConferenceResource.StatusEnum.InProgress, (await ConferenceResource.FetchAsync(host.ConferenceSid, client: _world.Twilio)).Status);
    }

    [Fact]
    public async Task Calls_create_honours_time_limit_below_the_talk_duration()
    {
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber("+15557100003"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            timeLimit: 5, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var ended = await CallResource.FetchAsync(call.Sid, client: _world.Twilio);
        Assert.Equal((CallResource.StatusEnum.Completed, "5"), (ended.Status, ended.Duration));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("ten")]
    [InlineData("1.5")]
    public async Task A_time_limit_that_is_not_a_positive_whole_number_is_400(string timeLimit)
    {
        var form = new Dictionary<string, string>
        {
            ["To"] = "+15557100003", ["From"] = SimulatorWorld.From, ["Url"] = SimulatorWorld.VoiceUrl, ["TimeLimit"] = timeLimit,
        };
        using var http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(
            System.Text.Encoding.ASCII.GetBytes($"{SimulatorWorld.AccountSid}:{SimulatorWorld.AuthToken}")));

        foreach (var path in (string[])["Calls.json", "Conferences/room-1/Participants.json"])
        {
            using var response = await http.PostAsync(
                new Uri($"/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/{path}", UriKind.Relative), new FormUrlEncodedContent(form), TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("\"code\":20001", body, StringComparison.Ordinal);
            Assert.Contains("TimeLimit", body, StringComparison.Ordinal);
        }

        Assert.Empty(await CallResource.ReadAsync(client: _world.Twilio));
    }

    [Fact]
    public async Task A_twiml_participant_stays_until_the_conference_ends_then_its_twiml_continues()
    {
        _world.Receiver.Serve("/join", $"""
            <Response><Dial action="/dialled"><Conference statusCallback="{ConferencePath}" statusCallbackEvent="start end join leave">team</Conference></Dial></Response>
            """);
        _world.Receiver.Serve("/dialled", "<Response><Say>Goodbye</Say></Response>");
        var first = _world.CallIn("/join");
        var second = _world.CallIn("/join");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(30));
        var conference = Assert.Single(await ConferenceResource.ReadAsync(friendlyName: "team", client: _world.Twilio));

        await ConferenceResource.UpdateAsync(conference.Sid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(ConferenceResource.StatusEnum.InProgress, conference.Status);
        foreach (var call in (string[])[first, second])
        {
            Assert.Equal(["Dial completed", "Say completed"], _world.Log(call).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        }

        var dialled = _world.Receiver.At("/dialled");
        Assert.Equal(2, dialled.Count);
        Assert.All(dialled, d => Assert.Equal(("completed", "1800"), (d["DialCallStatus"], d["DialCallDuration"])));
    }

    [Fact]
    public async Task A_kicked_twiml_participant_continues_its_twiml_and_dial_time_limit_ends_the_other()
    {
        _world.Receiver.Serve("/join", "<Response><Dial><Conference>team</Conference></Dial><Say>Bye</Say></Response>");
        _world.Receiver.Serve("/join-limited", "<Response><Dial timeLimit=\"90\"><Conference>team</Conference></Dial></Response>");
        var kicked = _world.CallIn("/join");
        var limited = _world.CallIn("/join-limited");
        var stays = _world.CallIn("/join");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(30));
        var conference = Assert.Single(await ConferenceResource.ReadAsync(friendlyName: "team", client: _world.Twilio));

        await ParticipantResource.DeleteAsync(conference.Sid, kicked, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(["Dial completed", "Say completed"], _world.Log(kicked).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        Assert.Equal("completed", _world.Log(limited).Status);
        Assert.Equal("in-progress", _world.Log(stays).Status);
        var stayed = _world.Control.ConferenceRecord("team")!.Participants.ToDictionary(
            p => p.CallSid, p => (p.ReasonLeft, p.LeftAt is { } left ? (int)(left - p.JoinedAt!.Value).TotalSeconds : -1));
        Assert.Equal(("participant_updated_via_api", 30), stayed[kicked]);
        Assert.Equal(("participant_hung_up", 90), stayed[limited]);
        Assert.Equal((null, -1), stayed[stays]);
    }

    private Task<ParticipantResource> AddAsync(string to, string label, bool endConferenceOnExit = false, int? timeLimit = null) =>
        ParticipantResource.CreateAsync(
            "room-1", from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber(to), label: label,
            conferenceStatusCallback: new Uri(SimulatorWorld.Url(ConferencePath)),
            conferenceStatusCallbackEvent: ["start", "end", "join", "leave"], endConferenceOnExit: endConferenceOnExit, timeLimit: timeLimit,
            client: _world.Twilio);

    private List<ReceivedWebhook> Events() =>
        [.. _world.Receiver.At(ConferencePath).OrderBy(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture))];
}
