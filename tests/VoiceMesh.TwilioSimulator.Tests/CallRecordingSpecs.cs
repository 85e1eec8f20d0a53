using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Calls;
using CallRecording = Twilio.Rest.Api.V2010.Account.Call.RecordingResource;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>The Call Recordings API on live calls, driven through the Twilio SDK's <c>Call.RecordingResource</c>.</summary>
public sealed class CallRecordingSpecs : IAsyncLifetime
{
    private const string CallbackPath = "/twilio/recording/status";
    private static readonly Uri CallbackUrl = new(SimulatorWorld.Url(CallbackPath));

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A call to <paramref name="to"/>, answered 4.2 s after it was created, talking <paramref name="talkSeconds"/>; the clock is moved to its answer.</summary>
    private async Task<string> AnsweredCallAsync(string to, int talkSeconds = 600)
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, TalkSeconds = talkSeconds });
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl), client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));
        return call.Sid;
    }

    private Task<CallRecording> StartAsync(string callSid, List<string>? events = null, string? channels = null, string? trim = null) =>
        CallRecording.CreateAsync(
            callSid, recordingStatusCallbackEvent: events, recordingStatusCallback: CallbackUrl, recordingChannels: channels, trim: trim,
            client: _world.Twilio);

    private Task<CallRecording> UpdateAsync(string callSid, string sid, CallRecording.StatusEnum status, string? pauseBehavior = null) =>
        CallRecording.UpdateAsync(callSid, sid, status, pauseBehavior: pauseBehavior, client: _world.Twilio);

    private IReadOnlyList<ReceivedWebhook> Callbacks => _world.Receiver.At(CallbackPath);

    private async Task<byte[]> MediaAsync(string recordingSid)
    {
        using var http = _world.Host.CreateHttpClient();
        return await http.GetByteArrayAsync(
            new Uri($"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Recordings/{recordingSid}.wav"), Ct);
    }

    [Fact]
    public async Task A_recording_started_paused_skipping_resumed_and_stopped_holds_only_the_recorded_seconds()
    {
        var callSid = await AnsweredCallAsync("+15551231000");

        var started = await StartAsync(callSid, ["in-progress", "completed"], channels: "dual");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(3));
        var paused = await UpdateAsync(callSid, started.Sid, CallRecording.StatusEnum.Paused, pauseBehavior: "skip");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(4));
        var resumed = await UpdateAsync(callSid, started.Sid, CallRecording.StatusEnum.InProgress);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));
        var stopped = await UpdateAsync(callSid, started.Sid, CallRecording.StatusEnum.Stopped);
        await _world.AdvanceAsync(TimeSpan.Zero);
        var fetched = await CallRecording.FetchAsync(callSid, started.Sid, client: _world.Twilio);

        Assert.Matches("^RE[0-9a-f]{32}$", started.Sid);
        Assert.Equal((CallRecording.StatusEnum.InProgress, "-1", 2, "both"), (started.Status, started.Duration, started.Channels, started.Track));
        Assert.Equal(CallRecording.SourceEnum.Startcallrecordingapi, started.Source);
        Assert.Equal(callSid, started.CallSid);
        Assert.Equal(
            [CallRecording.StatusEnum.Paused, CallRecording.StatusEnum.InProgress, CallRecording.StatusEnum.Stopped],
            new[] { paused.Status, resumed.Status, stopped.Status });
        Assert.Equal((CallRecording.StatusEnum.Completed, "5"), (fetched.Status, fetched.Duration));
        Assert.Equal(44 + (5 * 8000 * 4), (await MediaAsync(started.Sid)).Length);

        Assert.Equal(["in-progress", "completed"], Callbacks.Select(c => c["RecordingStatus"]));
        Assert.All(Callbacks, c =>
        {
            Assert.True(c.SignatureValid);
            Assert.Equal((started.Sid, callSid, SimulatorWorld.AccountSid), (c["RecordingSid"], c["CallSid"], c["AccountSid"]));
            Assert.Equal(("StartCallRecordingAPI", "2", "both", "0"), (c["RecordingSource"], c["RecordingChannels"], c["RecordingTrack"], c["ErrorCode"]));
            Assert.Equal($"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Recordings/{started.Sid}", c["RecordingUrl"]);
            Assert.Equal("Mon, 02 Mar 2026 09:00:05 +0000", c["RecordingStartTime"]);
        });
        Assert.DoesNotContain("RecordingDuration", Callbacks[0].Form.Keys);
        Assert.Equal("5", Callbacks[1]["RecordingDuration"]);
    }

    [Fact]
    public async Task Paused_time_is_silence_by_default_and_trim_silence_cuts_it_from_the_ends()
    {
        var callSid = await AnsweredCallAsync("+15551231001");

        var middle = await StartAsync(callSid);
        var trailing = await StartAsync(callSid, trim: "trim-silence");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));
        await UpdateAsync(callSid, middle.Sid, CallRecording.StatusEnum.Paused);
        await UpdateAsync(callSid, trailing.Sid, CallRecording.StatusEnum.Paused);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(3));
        await UpdateAsync(callSid, middle.Sid, CallRecording.StatusEnum.InProgress);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));
        await UpdateAsync(callSid, middle.Sid, CallRecording.StatusEnum.Stopped);
        await UpdateAsync(callSid, trailing.Sid, CallRecording.StatusEnum.Stopped);

        var media = await MediaAsync(middle.Sid);
        Assert.Equal("6", (await CallRecording.FetchAsync(callSid, middle.Sid, client: _world.Twilio)).Duration);
        Assert.Equal(44 + (6 * 8000 * 2), media.Length);
        Assert.Contains(media.Skip(44).Take(2 * 8000 * 2), b => b != 0);
        Assert.All(media.Skip(44 + (2 * 8000 * 2)).Take(3 * 8000 * 2), b => Assert.Equal(0, b));
        Assert.Contains(media.Skip(44 + (5 * 8000 * 2)), b => b != 0);
        Assert.Equal("2", (await CallRecording.FetchAsync(callSid, trailing.Sid, client: _world.Twilio)).Duration);
        Assert.Equal(44 + (2 * 8000 * 2), (await MediaAsync(trailing.Sid)).Length);
    }

    [Fact]
    public async Task Callbacks_go_out_only_for_the_requested_events()
    {
        var callSid = await AnsweredCallAsync("+15551231002");

        var byDefault = await StartAsync(callSid);
        var onlyStart = await StartAsync(callSid, ["in-progress"]);
        var spaceSeparated = await StartAsync(callSid, ["completed absent"]);
        var absent = await StartAsync(callSid, ["completed", "absent"]);
        await UpdateAsync(callSid, absent.Sid, CallRecording.StatusEnum.Stopped);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));
        foreach (var sid in new[] { byDefault.Sid, onlyStart.Sid, spaceSeparated.Sid })
        {
            await UpdateAsync(callSid, sid, CallRecording.StatusEnum.Stopped);
        }

        await _world.AdvanceAsync(TimeSpan.Zero);

        string[] Seen(string sid) => [.. Callbacks.Where(c => c["RecordingSid"] == sid).Select(c => c["RecordingStatus"])];
        Assert.Equal(["completed"], Seen(byDefault.Sid));
        Assert.Equal(["in-progress"], Seen(onlyStart.Sid));
        Assert.Equal(["completed"], Seen(spaceSeparated.Sid));
        Assert.Equal(["absent"], Seen(absent.Sid));
        var report = Assert.Single(Callbacks, c => c["RecordingSid"] == absent.Sid);
        Assert.Equal(("16101", "0"), (report["ErrorCode"], report["RecordingDuration"]));
        var fetched = await CallRecording.FetchAsync(callSid, absent.Sid, client: _world.Twilio);
        Assert.Equal((CallRecording.StatusEnum.Absent, 16101), (fetched.Status, fetched.ErrorCode));
        using var http = _world.Host.CreateHttpClient();
        using var media = await http.GetAsync(new Uri($"https://api.twilio.com/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/Recordings/{absent.Sid}.wav"), Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, media.StatusCode);
    }

    [Fact]
    public async Task Hanging_up_completes_the_recordings_the_call_still_has_and_current_names_the_active_one()
    {
        var callSid = await AnsweredCallAsync("+15551231003", talkSeconds: 30);

        var recording = await StartAsync(callSid);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));
        var paused = await UpdateAsync(callSid, "Twilio.CURRENT", CallRecording.StatusEnum.Paused, pauseBehavior: "skip");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));
        var resumed = await UpdateAsync(callSid, "Twilio.CURRENT", CallRecording.StatusEnum.InProgress);
        var inProgress = await CallRecording.FetchAsync(callSid, recording.Sid, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal((recording.Sid, CallRecording.StatusEnum.Paused), (paused.Sid, paused.Status));
        Assert.Equal((recording.Sid, CallRecording.StatusEnum.InProgress), (resumed.Sid, resumed.Status));
        Assert.Equal((CallRecording.StatusEnum.InProgress, "-1"), (inProgress.Status, inProgress.Duration));
        Assert.Equal(CallResource.StatusEnum.Completed, (await CallResource.FetchAsync(callSid, client: _world.Twilio)).Status);
        var completed = Assert.Single(await CallRecording.ReadAsync(callSid, client: _world.Twilio));
        // Answered at 4.2 s, recorded from 5 s: 10 s, a 5 s pause skipped, then 14.2 s until the hang-up at 34.2 s.
        Assert.Equal((CallRecording.StatusEnum.Completed, "24"), (completed.Status, completed.Duration));
        var callback = Assert.Single(Callbacks);
        Assert.Equal(("completed", "24"), (callback["RecordingStatus"], callback["RecordingDuration"]));
        Assert.Equal(recording.Sid, Assert.Single(await RecordingResource.ReadAsync(callSid: callSid, client: _world.Twilio)).Sid);
    }

    [Fact]
    public async Task Recording_a_call_that_is_not_in_progress_fails_with_21220_and_an_unknown_call_or_sid_with_20404()
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15551231004", Outcome = CallOutcomeKind.Human, TalkSeconds = 10 });
        var ringing = await CallResource.CreateAsync(
            to: new PhoneNumber("+15551231004"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl), client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));
        var beforeAnswer = await Assert.ThrowsAsync<ApiException>(() => StartAsync(ringing.Sid));
        await _world.AdvanceAsync(TimeSpan.FromSeconds(3));
        var recording = await StartAsync(ringing.Sid);
        var unknownSid = await Assert.ThrowsAsync<ApiException>(() =>
            UpdateAsync(ringing.Sid, "RE00000000000000000000000000000000", CallRecording.StatusEnum.Paused));
        var unknownCall = await Assert.ThrowsAsync<ApiException>(() => StartAsync("CA00000000000000000000000000000000"));
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));
        var afterHangUp = await Assert.ThrowsAsync<ApiException>(() => UpdateAsync(ringing.Sid, recording.Sid, CallRecording.StatusEnum.Paused));
        var startAfterHangUp = await Assert.ThrowsAsync<ApiException>(() => StartAsync(ringing.Sid));

        Assert.Equal((21220, 400), (beforeAnswer.Code, beforeAnswer.Status));
        Assert.Equal((20404, 404), (unknownSid.Code, unknownSid.Status));
        Assert.Equal((20404, 404), (unknownCall.Code, unknownCall.Status));
        Assert.Equal((21220, 400), (afterHangUp.Code, afterHangUp.Status));
        Assert.Equal((21220, 400), (startAfterHangUp.Code, startAfterHangUp.Status));
        Assert.Equal("https://www.twilio.com/docs/errors/21220", beforeAnswer.MoreInfo);
    }

    [Fact]
    public async Task Current_needs_exactly_one_active_recording_and_a_finished_one_cannot_be_updated()
    {
        var callSid = await AnsweredCallAsync("+15551231005");

        var none = await Assert.ThrowsAsync<ApiException>(() => UpdateAsync(callSid, "Twilio.CURRENT", CallRecording.StatusEnum.Paused));
        var first = await StartAsync(callSid);
        await StartAsync(callSid);
        var two = await Assert.ThrowsAsync<ApiException>(() => UpdateAsync(callSid, "Twilio.CURRENT", CallRecording.StatusEnum.Paused));
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));
        await UpdateAsync(callSid, first.Sid, CallRecording.StatusEnum.Stopped);
        var resumeStopped = await Assert.ThrowsAsync<ApiException>(() => UpdateAsync(callSid, first.Sid, CallRecording.StatusEnum.InProgress));
        var current = await UpdateAsync(callSid, "Twilio.CURRENT", CallRecording.StatusEnum.Paused);

        Assert.Equal((20404, 404), (none.Code, none.Status));
        Assert.Equal((16108, 400), (two.Code, two.Status));
        Assert.Equal((20001, 400), (resumeStopped.Code, resumeStopped.Status));
        Assert.NotEqual(first.Sid, current.Sid);
        Assert.Equal(CallRecording.StatusEnum.Paused, current.Status);
    }

    [Fact]
    public async Task Malformed_recording_requests_get_400_with_20001_and_create_nothing()
    {
        var callSid = await AnsweredCallAsync("+15551231006");

        var badChannels = await Assert.ThrowsAsync<ApiException>(() => StartAsync(callSid, channels: "quad"));
        var badEvent = await Assert.ThrowsAsync<ApiException>(() => StartAsync(callSid, ["in-progress", "paused"]));
        var badTrim = await Assert.ThrowsAsync<ApiException>(() => StartAsync(callSid, trim: "sometimes"));
        var recording = await StartAsync(callSid);
        var badStatus = await Assert.ThrowsAsync<ApiException>(() => UpdateAsync(callSid, recording.Sid, CallRecording.StatusEnum.Completed));
        var badBehavior = await Assert.ThrowsAsync<ApiException>(() =>
            UpdateAsync(callSid, recording.Sid, CallRecording.StatusEnum.Paused, pauseBehavior: "mute"));

        Assert.All([badChannels, badEvent, badTrim, badStatus, badBehavior], e => Assert.Equal((20001, 400), (e.Code, e.Status)));
        Assert.Contains("RecordingStatusCallbackEvent", badEvent.Message, StringComparison.Ordinal);
        var only = Assert.Single(await CallRecording.ReadAsync(callSid, client: _world.Twilio));
        Assert.Equal((recording.Sid, CallRecording.StatusEnum.InProgress), (only.Sid, only.Status));
    }
}
