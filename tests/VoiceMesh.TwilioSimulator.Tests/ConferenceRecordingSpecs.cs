using System.Globalization;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Conference;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Calls;
using ConferenceRecording = Twilio.Rest.Api.V2010.Account.Conference.RecordingResource;
using RecordingResource = Twilio.Rest.Api.V2010.Account.RecordingResource;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>Conferences recorded from their start: by <c>&lt;Conference record&gt;</c> and by Participants create's <c>ConferenceRecord</c>.</summary>
public sealed class ConferenceRecordingSpecs : IAsyncLifetime
{
    private const string RecordingPath = "/twilio/recording/status";
    private const string ConferencePath = "/twilio/conference/status";

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync()
    {
        _world = await SimulatorWorld.StartAsync();
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15557000001", Outcome = CallOutcomeKind.Human, TalkSeconds = 600 });
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15557000002", Outcome = CallOutcomeKind.Human, TalkSeconds = 600 });
    }

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IReadOnlyList<ReceivedWebhook> RecordingCallbacks => _world.Receiver.At(RecordingPath);

    private ReceivedWebhook ConferenceEvent(string name) =>
        Assert.Single(_world.Receiver.At(ConferencePath), e => e["StatusCallbackEvent"] == name);

    private async Task<byte[]> MediaAsync(string recordingSid)
    {
        using var http = _world.Host.CreateHttpClient();
        return await http.GetByteArrayAsync(
            new Uri($"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Recordings/{recordingSid}.wav"), Ct);
    }

    private Task<ParticipantResource> AddAsync(
        string to, string? record = "record-from-start", List<string>? recordingEvents = null, string room = "room-rec") =>
        ParticipantResource.CreateAsync(
            room, from: new PhoneNumber(SimulatorWorld.From), to: new PhoneNumber(to),
            conferenceStatusCallback: new Uri(SimulatorWorld.Url(ConferencePath)), conferenceRecord: record,
            conferenceRecordingStatusCallback: new Uri(SimulatorWorld.Url(RecordingPath)),
            conferenceRecordingStatusCallbackEvent: recordingEvents, client: _world.Twilio);

    [Fact]
    public async Task A_conference_with_record_from_start_in_twiml_is_recorded_from_its_start_to_its_end()
    {
        const string twiml = """
            <Response><Dial><Conference record="record-from-start" statusCallback="/twilio/conference/status"
              recordingStatusCallback="/twilio/recording/status" recordingStatusCallbackEvent="in-progress completed">team</Conference></Dial></Response>
            """;
        _world.Receiver.Serve("/join", twiml);
        _world.Receiver.Serve("/join-late", "<Response><Dial><Conference>team</Conference></Dial></Response>");

        var first = _world.CallIn("/join");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));
        var second = _world.CallIn("/join-late");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(20));
        var running = Assert.Single(await ConferenceResource.ReadAsync(friendlyName: "team", client: _world.Twilio));
        await ConferenceResource.UpdateAsync(running.Sid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var start = ConferenceEvent("conference-start");
        var end = ConferenceEvent("conference-end");
        var conferenceSid = start["ConferenceSid"];
        var seconds = (int)(Rfc2822(end["Timestamp"]) - Rfc2822(start["Timestamp"])).TotalSeconds;
        Assert.Equal(20, seconds);
        // Both come due in one advance and are delivered concurrently, so their arrival order is not asserted.
        Assert.Equal(["completed", "in-progress"], RecordingCallbacks.Select(c => c["RecordingStatus"]).Order(StringComparer.Ordinal));
        Assert.All(RecordingCallbacks, c =>
        {
            Assert.True(c.SignatureValid);
            Assert.Equal((conferenceSid, SimulatorWorld.AccountSid), (c["ConferenceSid"], c["AccountSid"]));
            Assert.False(c.Form.ContainsKey("CallSid"));
            Assert.Equal(("DialConference", "1", "0"), (c["RecordingSource"], c["RecordingChannels"], c["ErrorCode"]));
            Assert.Equal(start["Timestamp"], c["RecordingStartTime"]);
        });
        var completed = Assert.Single(RecordingCallbacks, c => c["RecordingStatus"] == "completed");
        Assert.Equal(seconds.ToString(CultureInfo.InvariantCulture), completed["RecordingDuration"]);
        Assert.False(Assert.Single(RecordingCallbacks, c => c["RecordingStatus"] == "in-progress").Form.ContainsKey("RecordingDuration"));
        var recordingSid = completed["RecordingSid"];
        Assert.Equal($"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Recordings/{recordingSid}", completed["RecordingUrl"]);
        var fetched = await RecordingResource.FetchAsync(recordingSid, client: _world.Twilio);
        Assert.Equal((conferenceSid, (string?)null, "20", "DialConference"), (fetched.ConferenceSid, fetched.CallSid, fetched.Duration, fetched.Source.ToString()));
        Assert.Equal(44 + (20 * 8000 * 2), (await MediaAsync(recordingSid)).Length);
        Assert.Equal(["Dial completed"], _world.Log(first).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        Assert.Equal(["Dial completed"], _world.Log(second).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
    }

    [Fact]
    public async Task A_conference_recorded_through_participants_create_ends_its_recording_when_ended_through_the_api()
    {
        var first = await AddAsync("+15557000001", recordingEvents: ["completed"]);
        await AddAsync("+15557000002", record: null);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(4.2));
        await _world.AdvanceAsync(TimeSpan.FromSeconds(6));
        await ConferenceResource.UpdateAsync(first.ConferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        var callback = Assert.Single(RecordingCallbacks);
        Assert.True(callback.SignatureValid);
        Assert.Equal(("completed", first.ConferenceSid, "6", "DialConference"),
            (callback["RecordingStatus"], callback["ConferenceSid"], callback["RecordingDuration"], callback["RecordingSource"]));
        Assert.False(callback.Form.ContainsKey("CallSid"));
        var listed = Assert.Single(await ConferenceRecording.ReadAsync(first.ConferenceSid, client: _world.Twilio));
        Assert.Equal((callback["RecordingSid"], first.ConferenceSid, "6"), (listed.Sid, listed.ConferenceSid, listed.Duration));
        Assert.Equal(44 + (6 * 8000 * 2), (await MediaAsync(listed.Sid)).Length);
        Assert.Equal(listed.Sid, Assert.Single(await RecordingResource.ReadAsync(conferenceSid: first.ConferenceSid, client: _world.Twilio)).Sid);
    }

    [Fact]
    public async Task A_deleted_conference_recording_leaves_the_conference_list()
    {
        var first = await AddAsync("+15557000001");
        await AddAsync("+15557000002");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));
        await ConferenceResource.UpdateAsync(first.ConferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));
        var recording = Assert.Single(await ConferenceRecording.ReadAsync(first.ConferenceSid, client: _world.Twilio));

        Assert.True(await RecordingResource.DeleteAsync(recording.Sid, client: _world.Twilio));

        Assert.Empty(await ConferenceRecording.ReadAsync(first.ConferenceSid, client: _world.Twilio));
        var gone = await Assert.ThrowsAsync<ApiException>(() => RecordingResource.FetchAsync(recording.Sid, client: _world.Twilio));
        Assert.Equal(20404, gone.Code);
    }

    [Fact]
    public async Task An_unrecorded_conference_lists_no_recording_and_sends_no_recording_callback()
    {
        var first = await AddAsync("+15557000001", record: "do-not-record");
        await AddAsync("+15557000002");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));
        await ConferenceResource.UpdateAsync(first.ConferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Empty(await ConferenceRecording.ReadAsync(first.ConferenceSid, client: _world.Twilio));
        Assert.Empty(RecordingCallbacks);
    }

    [Theory]
    [InlineData("ConferenceRecord=always")]
    [InlineData("ConferenceRecord=record-from-start&ConferenceRecordingStatusCallbackEvent=finished")]
    public async Task Participants_create_with_a_malformed_recording_field_is_rejected(string fields)
    {
        using var http = _world.Host.CreateHttpClient();
        var body = $"From=%2B15005550006&To=%2B15557000001&{fields.Replace("+", "%2B", StringComparison.Ordinal)}";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Conferences/room-bad/Participants.json") { Content = content };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{SimulatorWorld.AccountSid}:{SimulatorWorld.AuthToken}")));

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("20001", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(await ConferenceResource.ReadAsync(friendlyName: "room-bad", client: _world.Twilio));
    }

    [Fact]
    public async Task Listing_the_recordings_of_an_unknown_conference_is_not_found()
    {
        var error = await Assert.ThrowsAsync<ApiException>(() =>
            ConferenceRecording.ReadAsync("CF00000000000000000000000000000000", client: _world.Twilio));

        Assert.Equal((20404, 404), (error.Code, error.Status));
    }

    private static DateTimeOffset Rfc2822(string value) =>
        DateTimeOffset.ParseExact(value, "ddd, dd MMM yyyy HH:mm:ss zzz", CultureInfo.InvariantCulture);
}
