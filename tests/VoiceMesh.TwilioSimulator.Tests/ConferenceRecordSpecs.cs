using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Twilio.Rest.Api.V2010.Account.Conference;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class ConferenceRecordSpecs : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private SimulatorWorld _world = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _world = await SimulatorWorld.StartAsync();
        _http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15557000001", Outcome = CallOutcomeKind.Human, TalkSeconds = 10 });
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15557000002", Outcome = CallOutcomeKind.Human, TalkSeconds = 30 });
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _world.DisposeAsync();
    }

    [Fact]
    public async Task The_record_of_a_finished_room_lists_its_participants_in_join_order_with_their_final_values()
    {
        var agent = await AddAsync("+15557000001", "agent", muted: true);
        var customer = await AddAsync("+15557000002", "customer");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var record = _world.Control.ConferenceRecord("room-1");

        Assert.NotNull(record);
        Assert.Equal((agent.ConferenceSid, "room-1", "completed"), (record.ConferenceSid, record.FriendlyName, record.Status));
        Assert.Equal((Start, At(4200), At(34200)), (record.DateCreated, record.StartedAt, record.EndedAt));
        Assert.Equal(("last-participant-left", customer.CallSid), (record.ReasonConferenceEnded, record.CallSidEndingConference));
        Assert.Equal([agent.CallSid, customer.CallSid], record.Participants.Select(p => p.CallSid));
        var first = record.Participants[0];
        Assert.Equal(("agent", At(4200), At(14200), "participant_hung_up"), (first.Label, first.JoinedAt, first.LeftAt, first.ReasonLeft));
        Assert.Equal((true, false, false, null, false, true, 0), (first.Muted, first.Hold, first.Coaching, first.CallSidToCoach, first.EndConferenceOnExit, first.StartConferenceOnEnter, first.SpeakingSeconds));
    }

    [Fact]
    public async Task The_admin_endpoint_serves_the_record_as_camel_case_json_with_iso_times_and_nulls_for_what_did_not_happen()
    {
        var agent = await AddAsync("+15557000001", "agent");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        var json = await _http.GetFromJsonAsync<JsonElement>(new Uri($"/_sim/conferences/{agent.ConferenceSid}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(
            ["conferenceSid", "friendlyName", "status", "dateCreated", "startedAt", "endedAt", "reasonConferenceEnded", "callSidEndingConference", "participants"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("init", "2026-03-02T09:00:00+00:00"), (json.GetProperty("status").GetString(), json.GetProperty("dateCreated").GetString()));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("startedAt").ValueKind);
        var participant = Assert.Single(json.GetProperty("participants").EnumerateArray().ToList());
        Assert.Equal(
            ["callSid", "label", "joinedAt", "leftAt", "muted", "hold", "coaching", "callSidToCoach", "endConferenceOnExit", "startConferenceOnEnter", "reasonLeft", "speakingSeconds"],
            participant.EnumerateObject().Select(p => p.Name));
        Assert.Equal((agent.CallSid, "2026-03-02T09:00:04.2+00:00", JsonValueKind.Null),
            (participant.GetProperty("callSid").GetString(), participant.GetProperty("joinedAt").GetString(), participant.GetProperty("leftAt").ValueKind));
    }

    [Fact]
    public async Task A_name_used_twice_gives_the_latest_room()
    {
        var first = await AddAsync("+15557000001", "agent");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));
        var second = await AddAsync("+15557000001", "agent");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.NotEqual(first.ConferenceSid, second.ConferenceSid);
        Assert.Equal(second.ConferenceSid, _world.Control.ConferenceRecord("room-1")?.ConferenceSid);
        Assert.Equal(first.ConferenceSid, _world.Control.ConferenceRecord(first.ConferenceSid)?.ConferenceSid);
    }

    [Theory]
    [InlineData("/_sim/conferences/no-such-room")]
    [InlineData("/_sim/conferences/CF00000000000000000000000000000000")]
    [InlineData("/_sim/conferences/room-1?accountSid=AC99999999999999999999999999999999")]
    public async Task An_unknown_conference_is_404_problem_json(string path)
    {
        await AddAsync("+15557000001", "agent");

        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(_world.Control.ConferenceRecord("no-such-room"));
    }

    private static DateTimeOffset At(int milliseconds) => Start + TimeSpan.FromMilliseconds(milliseconds);

    private Task<ParticipantResource> AddAsync(string to, string label, bool muted = false) =>
        ParticipantResource.CreateAsync(
            "room-1", from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber(to), label: label, muted: muted, client: _world.Twilio);
}
