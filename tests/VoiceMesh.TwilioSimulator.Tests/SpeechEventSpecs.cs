using System.Globalization;
using System.Net;
using System.Text;
using Twilio.Rest.Api.V2010.Account.Conference;
using Twilio.Types;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>Admin-driven speech: <c>participant-speech-start</c>/<c>-stop</c> for rooms that subscribed <c>speaker</c>.</summary>
public sealed class SpeechEventSpecs : IAsyncLifetime
{
    private const string ConferencePath = "/twilio/conference/status";

    private SimulatorWorld _world = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _world = await SimulatorWorld.StartAsync();
        _http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _world.DisposeAsync();
    }

    [Fact]
    public async Task Speaking_over_http_and_through_control_sends_speech_events_and_counts_speaking_seconds()
    {
        var (agent, customer) = await RoomAsync(["start", "end", "join", "speaker"]);

        using var started = await SpeakAsync($"/_sim/conferences/room-1/participants/{agent.CallSid}/speech", "{\"speaking\":true}");
        using var again = await SpeakAsync($"/_sim/conferences/room-1/participants/{agent.CallSid}/speech", "{\"speaking\":true}");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(7));
        _world.Control.SetSpeaking(agent.ConferenceSid, agent.CallSid, speaking: false);
        _world.Control.SetSpeaking("room-1", customer.CallSid, speaking: true);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(3));

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NoContent), (started.StatusCode, again.StatusCode));
        var speech = Events().Where(e => e["StatusCallbackEvent"].StartsWith("participant-speech", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [("participant-speech-start", agent.CallSid), ("participant-speech-stop", agent.CallSid), ("participant-speech-start", customer.CallSid)],
            speech.Select(e => (e["StatusCallbackEvent"], e["CallSid"])));
        Assert.Equal(("agent", "false", "Mon, 02 Mar 2026 09:00:12 +0000"), (speech[1]["ParticipantLabel"], speech[1]["Muted"], speech[1]["Timestamp"]));
        Assert.All(speech, e => Assert.True(e.SignatureValid));
        var record = _world.Control.ConferenceRecord("room-1")!;
        Assert.Equal([7, 3], record.Participants.Select(p => p.SpeakingSeconds));
    }

    [Fact]
    public async Task A_room_that_did_not_subscribe_speaker_gets_no_speech_events()
    {
        var (agent, _) = await RoomAsync(["start", "end"]);

        _world.Control.SetSpeaking("room-1", agent.CallSid, speaking: true);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));

        Assert.DoesNotContain(Events(), e => e["StatusCallbackEvent"].StartsWith("participant-speech", StringComparison.Ordinal));
        Assert.Equal(2, _world.Control.ConferenceRecord("room-1")!.Participants[0].SpeakingSeconds);
    }

    [Theory]
    [InlineData("{\"speaking\":")]
    [InlineData("{}")]
    [InlineData("{\"speaking\":\"yes\"}")]
    [InlineData("")]
    public async Task A_bad_speech_body_is_400_problem_json(string body)
    {
        var (agent, _) = await RoomAsync(["speaker"]);

        using var response = await SpeakAsync($"/_sim/conferences/room-1/participants/{agent.CallSid}/speech", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_room_or_participant_is_404_problem_json_and_control_throws()
    {
        var (agent, _) = await RoomAsync(["speaker"]);

        using var room = await SpeakAsync($"/_sim/conferences/no-room/participants/{agent.CallSid}/speech", "{\"speaking\":true}");
        using var participant = await SpeakAsync("/_sim/conferences/room-1/participants/CA00000000000000000000000000000000/speech", "{\"speaking\":true}");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (room.StatusCode, participant.StatusCode));
        Assert.Equal("application/problem+json", participant.Content.Headers.ContentType?.MediaType);
        Assert.Throws<KeyNotFoundException>(() => _world.Control.SetSpeaking("room-1", "CA00000000000000000000000000000000", speaking: true));
    }

    private async Task<(ParticipantResource Agent, ParticipantResource Customer)> RoomAsync(List<string> events)
    {
        var agent = await ParticipantResource.CreateAsync(
            "room-1", from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber("+15557300001"), label: "agent",
            conferenceStatusCallback: new Uri(SimulatorWorld.Url(ConferencePath)), conferenceStatusCallbackEvent: events, client: _world.Twilio);
        var customer = await ParticipantResource.CreateAsync(
            "room-1", from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber("+15557300002"), label: "customer", client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));
        return (agent, customer);
    }

    private Task<HttpResponseMessage> SpeakAsync(string path, string body) =>
        _http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    private List<ReceivedWebhook> Events() =>
        [.. _world.Receiver.At(ConferencePath).OrderBy(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture))];
}
