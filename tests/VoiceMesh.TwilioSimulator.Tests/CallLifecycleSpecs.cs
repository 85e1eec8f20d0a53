using System.Globalization;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class CallLifecycleSpecs : IAsyncLifetime
{
    private static List<string> AllEvents => ["initiated", "ringing", "answered", "completed"];

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task A_created_call_walks_to_completed_sending_signed_callbacks()
    {
        var call = await CreateAsync("+15551230100", AllEvents);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var callbacks = StatusCallbacks();
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], callbacks.Select(c => c["CallStatus"]));
        Assert.Equal(["0", "1", "2", "3"], callbacks.Select(c => c["SequenceNumber"]));
        Assert.All(callbacks, c =>
        {
            Assert.True(c.SignatureValid);
            Assert.Equal("POST", c.Method);
            Assert.Equal("/twilio/voice/status?tenant=blue", c.PathAndQuery);
            Assert.Equal(call.Sid, c["CallSid"]);
            Assert.Equal(SimulatorWorld.AccountSid, c["AccountSid"]);
            Assert.Equal("call-progress-events", c["CallbackSource"]);
            Assert.Equal("2010-04-01", c["ApiVersion"]);
            Assert.Equal("outbound-api", c["Direction"]);
            Assert.Equal("+15551230100", c["To"]);
            Assert.Equal(SimulatorWorld.From, c["From"]);
            Assert.Matches("^[0-9a-f]{32}$", c.IdempotencyToken);
        });
        Assert.Equal(4, callbacks.Select(c => c.IdempotencyToken).Distinct().Count());
        Assert.Equal(
            ["Mon, 02 Mar 2026 09:00:00 +0000", "Mon, 02 Mar 2026 09:00:01 +0000", "Mon, 02 Mar 2026 09:00:04 +0000", "Mon, 02 Mar 2026 09:00:24 +0000"],
            callbacks.Select(c => c["Timestamp"]));
        Assert.True(DateTimeOffset.TryParseExact(callbacks[0]["Timestamp"], "ddd, dd MMM yyyy HH:mm:ss zzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        var completed = callbacks[^1];
        Assert.Equal(("20", "1", "200"), (completed["CallDuration"], completed["Duration"], completed["SipResponseCode"]));
        Assert.DoesNotContain("CallDuration", callbacks[2].Form.Keys);
        Assert.Equal(CallResource.StatusEnum.Completed, (await CallResource.FetchAsync(call.Sid, client: _world.Twilio)).Status);
    }

    [Fact]
    public async Task Only_the_completed_event_is_sent_when_no_events_are_requested()
    {
        await CreateAsync("+15551230101", events: null);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var callback = Assert.Single(StatusCallbacks());
        Assert.Equal(("completed", "0"), (callback["CallStatus"], callback["SequenceNumber"]));
    }

    [Fact]
    public async Task Steps_happen_only_when_the_virtual_clock_reaches_them()
    {
        var call = await CreateAsync("+15551230102", AllEvents);

        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(["initiated", "ringing"], StatusCallbacks().Select(c => c["CallStatus"]));
        Assert.Equal(CallResource.StatusEnum.Ringing, (await CallResource.FetchAsync(call.Sid, client: _world.Twilio)).Status);

        await _world.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(CallResource.StatusEnum.InProgress, (await CallResource.FetchAsync(call.Sid, client: _world.Twilio)).Status);
        Assert.Equal(3, StatusCallbacks().Count);
    }

    [Theory]
    [InlineData(CallOutcomeKind.Busy, "busy", "486", "ringing")]
    [InlineData(CallOutcomeKind.NoAnswer, "no-answer", "487", "ringing")]
    [InlineData(CallOutcomeKind.Failed, "failed", "503", "initiated")]
    public async Task Scripted_outcomes_end_calls_busy_no_answer_or_failed(
        CallOutcomeKind outcome, string status, string sipResponseCode, string lastBeforeEnd)
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "+1555999*", Outcome = outcome });
        var call = await CreateAsync("+15559990000", AllEvents);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var callbacks = StatusCallbacks();
        Assert.Equal(lastBeforeEnd, callbacks[^2]["CallStatus"]);
        Assert.Equal((status, sipResponseCode, "0"), (callbacks[^1]["CallStatus"], callbacks[^1]["SipResponseCode"], callbacks[^1]["Duration"]));
        Assert.DoesNotContain("CallDuration", callbacks[^1].Form.Keys);
        Assert.Equal(status, (await CallResource.FetchAsync(call.Sid, client: _world.Twilio)).Status.ToString());
    }

    [Fact]
    public async Task No_answer_comes_after_the_calls_own_timeout()
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15559990001", Outcome = CallOutcomeKind.NoAnswer });
        await CallResource.CreateAsync(
            to: new PhoneNumber("+15559990001"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), timeout: 15, client: _world.Twilio);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("Mon, 02 Mar 2026 09:00:16 +0000", Assert.Single(StatusCallbacks())["Timestamp"]);
    }

    [Fact]
    public async Task An_exact_rule_beats_a_prefix_and_a_pattern()
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "^\\+1555.*$", Outcome = CallOutcomeKind.Failed });
        _world.Control.AddOutcome(new OutcomeRule { Match = "+1555888*", Outcome = CallOutcomeKind.Busy });
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15558880000", Outcome = CallOutcomeKind.Human, TalkSeconds = 7 });
        await CreateAsync("+15558880000", events: null);
        await CreateAsync("+15558880001", events: null);
        await CreateAsync("+15557770000", events: null);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var byTo = StatusCallbacks().ToDictionary(c => c["To"], c => c["CallStatus"]);
        Assert.Equal("completed", byTo["+15558880000"]);
        Assert.Equal("busy", byTo["+15558880001"]);
        Assert.Equal("failed", byTo["+15557770000"]);
        Assert.Equal("7", StatusCallbacks().Single(c => c["To"] == "+15558880000")["CallDuration"]);
    }

    [Fact]
    public async Task A_caller_answer_rate_answers_that_share_of_its_calls_evenly_and_leaves_other_callers_alone()
    {
        _world.Control.SetAnswerRate(new CallerAnswerRate { From = "+14155550177", AnswerRate = 0.3, Unanswered = CallOutcomeKind.Busy });
        _world.Control.AddOutcome(new OutcomeRule { Match = "+1555444*", Outcome = CallOutcomeKind.Human, TalkSeconds = 9 });
        for (var i = 0; i < 10; i++)
        {
            await CallResource.CreateAsync(
                to: new PhoneNumber($"+155544400{i:D2}"), from: new PhoneNumber("+14155550177"), url: new Uri(SimulatorWorld.VoiceUrl),
                statusCallback: new Uri(SimulatorWorld.StatusCallback), client: _world.Twilio);
        }

        await CreateAsync("+15554440099", events: null);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var statuses = StatusCallbacks().ToDictionary(c => c["To"], c => (Status: c["CallStatus"], Duration: c.Form.GetValueOrDefault("CallDuration")));
        var scripted = Enumerable.Range(0, 10).Select(i => statuses[$"+155544400{i:D2}"].Status).ToList();
        Assert.Equal(["busy", "busy", "busy", "completed", "busy", "busy", "completed", "busy", "busy", "completed"], scripted);
        Assert.Equal("9", statuses["+15554440003"].Duration);
        Assert.Equal("completed", statuses["+15554440099"].Status);
    }

    [Fact]
    public async Task Synchronous_machine_detection_reports_answered_by_on_later_callbacks()
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15556660000", Outcome = CallOutcomeKind.Machine });
        await CallResource.CreateAsync(
            to: new PhoneNumber("+15556660000"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), statusCallbackEvent: AllEvents,
            machineDetection: "Enable", client: _world.Twilio);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var callbacks = StatusCallbacks();
        Assert.DoesNotContain("AnsweredBy", callbacks[1].Form.Keys);
        Assert.Equal(("in-progress", "machine_start"), (callbacks[2]["CallStatus"], callbacks[2]["AnsweredBy"]));
        Assert.Equal("Mon, 02 Mar 2026 09:00:06 +0000", callbacks[2]["Timestamp"]);
        Assert.Equal("machine_start", callbacks[3]["AnsweredBy"]);
        var voice = Assert.Single(_world.Receiver.Received, r => r.PathAndQuery == "/twilio/voice/answer");
        Assert.Equal("machine_start", voice["AnsweredBy"]);
    }

    [Fact]
    public async Task Async_machine_detection_posts_the_result_to_the_amd_callback()
    {
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber("+15556660001"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), statusCallbackEvent: AllEvents,
            machineDetection: "DetectMessageEnd", asyncAmd: "true",
            asyncAmdStatusCallback: new Uri(CallbackReceiver.PublicBaseUrl + "/twilio/voice/amd"), client: _world.Twilio);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var amd = Assert.Single(_world.Receiver.Received, r => r.PathAndQuery == "/twilio/voice/amd");
        Assert.True(amd.SignatureValid);
        Assert.Equal(["AccountSid", "AnsweredBy", "CallSid", "MachineDetectionDuration"], amd.Form.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((call.Sid, "human", "2000"), (amd["CallSid"], amd["AnsweredBy"], amd["MachineDetectionDuration"]));
        var callbacks = StatusCallbacks();
        Assert.DoesNotContain("AnsweredBy", callbacks[2].Form.Keys);
        Assert.Equal("human", callbacks[3]["AnsweredBy"]);
        Assert.Equal("human", (await CallResource.FetchAsync(call.Sid, client: _world.Twilio)).AnsweredBy);
    }

    [Fact]
    public async Task The_voice_url_receives_a_signed_request_when_the_call_is_answered()
    {
        var call = await CreateAsync("+15551230103", events: null);

        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        var voice = Assert.Single(_world.Receiver.Received);
        Assert.True(voice.SignatureValid);
        Assert.Equal(("/twilio/voice/answer", call.Sid, "in-progress"), (voice.PathAndQuery, voice["CallSid"], voice["CallStatus"]));
    }

    [Fact]
    public async Task Webhooks_are_signed_over_the_public_url_but_delivered_to_the_target()
    {
        await CreateAsync("+15551230104", events: null);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var attempt = Assert.Single(_world.Control.Webhooks, w => w.Kind == "status-callback");
        Assert.Equal(SimulatorWorld.StatusCallback, attempt.Url);
        Assert.Equal(new Uri(_world.Receiver.Address, "/twilio/voice/status?tenant=blue").ToString(), attempt.DeliveredTo);
        Assert.Equal(204, attempt.ResponseStatus);
        Assert.True(Assert.Single(StatusCallbacks()).SignatureValid);
    }

    [Fact]
    public async Task A_get_status_callback_carries_its_fields_in_the_signed_query()
    {
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230105"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), statusCallbackMethod: Twilio.Http.HttpMethod.Get, client: _world.Twilio);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var callback = Assert.Single(_world.Receiver.Received, r => r.Method == "GET");
        Assert.True(callback.SignatureValid);
        Assert.StartsWith("/twilio/voice/status?tenant=blue&AccountSid=", callback.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains($"CallSid={call.Sid}", callback.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_callback_is_rejected_by_the_receivers_validator()
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent([new("CallSid", "CA1"), new("CallStatus", "completed")]);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_world.Receiver.Address, "/twilio/voice/status?tenant=blue"))
        {
            Content = content,
        };
        request.Headers.Add("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=");

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(403, (int)response.StatusCode);
        Assert.False(Assert.Single(_world.Receiver.Received).SignatureValid);
    }

    private Task<CallResource> CreateAsync(string to, List<string>? events) =>
        CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), statusCallbackEvent: events, client: _world.Twilio);

    private List<ReceivedWebhook> StatusCallbacks() =>
        [.. _world.Receiver.Received.Where(r => r.PathAndQuery.StartsWith("/twilio/voice/status", StringComparison.Ordinal))
            .OrderBy(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture))];
}
