using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class TwimlSpecs : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task An_inbound_call_runs_say_gather_redirect_and_hangup_and_the_log_shows_each_verb()
    {
        _world.Receiver.Serve("/ivr", """
            <?xml version="1.0" encoding="UTF-8"?>
            <Response>
              <Say voice="alice">Welcome</Say>
              <Gather numDigits="1" action="/ivr/menu"><Say>Press 1 for sales</Say></Gather>
              <Say>Never reached</Say>
            </Response>
            """);
        _world.Receiver.Serve("/ivr/menu", "<Response><Pause length=\"2\"/><Redirect method=\"GET\">/ivr/sales</Redirect><Say>Never</Say></Response>");
        _world.Receiver.Serve("/ivr/sales", "<Response><Play>https://cdn.example.com/ding.mp3</Play><Hangup/><Say>Never</Say></Response>");

        var callSid = _world.CallIn("/ivr", new CallerInput { Digits = "1" });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var log = _world.Log(callSid);
        Assert.Equal(("completed", null), (log.Status, log.ErrorCode));
        Assert.Equal(
            ["Say Welcome completed", "Gather  digits 1", "Say Press 1 for sales completed", "Pause  completed", "Redirect /ivr/sales completed",
                "Play https://cdn.example.com/ding.mp3 completed", "Hangup  completed"],
            log.Verbs.Select(v => $"{v.Verb} {v.Text} {v.Outcome}"));
        Assert.Equal("alice", log.Verbs[0].Attributes["voice"]);
        Assert.Equal([Start, Start.AddSeconds(1), Start.AddSeconds(1), Start.AddSeconds(2), Start.AddSeconds(4), Start.AddSeconds(4), Start.AddSeconds(6)],
            log.Verbs.Select(v => v.Time));
        Assert.Equal(SimulatorWorld.Url("/ivr/menu"), log.Verbs[3].DocumentUrl);

        var first = Assert.Single(_world.Receiver.At("/ivr"));
        Assert.True(first.SignatureValid);
        Assert.Equal(("ringing", "inbound", callSid, "+14155550100", SimulatorWorld.From), (first["CallStatus"], first["Direction"], first["CallSid"], first["From"], first["To"]));
        Assert.Equal(("2010-04-01", SimulatorWorld.AccountSid, "+14155550100", SimulatorWorld.From), (first["ApiVersion"], first["AccountSid"], first["Caller"], first["Called"]));
        var menu = Assert.Single(_world.Receiver.At("/ivr/menu"));
        Assert.Equal(("POST", "1", "in-progress"), (menu.Method, menu["Digits"], menu["CallStatus"]));
        var sales = Assert.Single(_world.Receiver.At("/ivr/sales"));
        Assert.Equal("GET", sales.Method);
        Assert.True(sales.SignatureValid);

        var call = await CallResource.FetchAsync(callSid, client: _world.Twilio);
        Assert.Equal((CallResource.StatusEnum.Completed, "inbound", "6"), (call.Status, call.Direction, call.Duration));
        Assert.Contains(_world.Control.Webhooks, w => w.Kind == "voice" && w.CallSid == callSid && w.Url == SimulatorWorld.Url("/ivr"));
    }

    [Fact]
    public async Task Speech_reaches_the_gather_action_only_when_the_gather_listens_for_speech()
    {
        _world.Receiver.Serve("/speech", "<Response><Gather input=\"dtmf speech\" action=\"/speech/heard\" speechTimeout=\"2\"/></Response>");
        _world.Receiver.Serve("/speech/heard", "<Response><Gather action=\"/speech/keys\" timeout=\"4\"/><Say>Goodbye</Say></Response>");

        var callSid = _world.CallIn(
            "/speech", new CallerInput { Speech = "sales please", Confidence = 0.92 }, new CallerInput { Speech = "still talking" });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var heard = Assert.Single(_world.Receiver.At("/speech/heard"));
        Assert.Equal(("sales please", "0.92"), (heard["SpeechResult"], heard["Confidence"]));
        Assert.DoesNotContain("Digits", heard.Form.Keys);
        Assert.Empty(_world.Receiver.At("/speech/keys"));
        var log = _world.Log(callSid);
        Assert.Equal(["speech sales please", "no-input", "completed"], log.Verbs.Select(v => v.Outcome));
        Assert.Equal([Start, Start.AddSeconds(2), Start.AddSeconds(6)], log.Verbs.Select(v => v.Time));
    }

    [Fact]
    public async Task Silence_falls_through_to_the_next_verb_once_the_gather_times_out()
    {
        _world.Receiver.Serve("/menu", """
            <Response>
              <Gather timeout="3" action="/menu/choice"><Say>Press a key</Say></Gather>
              <Gather timeout="2" action="/menu/empty" actionOnEmptyResult="true"/>
            </Response>
            """);
        _world.Receiver.Serve("/menu/empty", "<Response><Say>Nothing pressed</Say></Response>");

        var callSid = _world.CallIn("/menu", new CallerInput { Silence = true });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Empty(_world.Receiver.At("/menu/choice"));
        var empty = Assert.Single(_world.Receiver.At("/menu/empty"));
        Assert.DoesNotContain("Digits", empty.Form.Keys);
        var log = _world.Log(callSid);
        Assert.Equal(["Gather no-input", "Say completed", "Gather no-input", "Say completed"], log.Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        Assert.Equal(Start.AddSeconds(4), log.Verbs[2].Time);
        Assert.Equal("completed", log.Status);
    }

    [Fact]
    public async Task Digits_stop_at_the_finish_key_or_after_num_digits()
    {
        _world.Receiver.Serve("/pin", "<Response><Gather action=\"/pin/entered\"/><Gather numDigits=\"2\" action=\"/pin/entered\"/></Response>");
        _world.Receiver.Serve("/pin/entered", r => Reply.Xml(r.PathAndQuery.Contains("second", StringComparison.Ordinal)
            ? "<Response/>"
            : "<Response><Gather numDigits=\"2\" action=\"/pin/entered?second\"/></Response>"));

        _world.CallIn("/pin", new CallerInput { Digits = "1234#9" }, new CallerInput { Digits = "567" });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(["1234", "56"], _world.Receiver.At("/pin/entered").Select(r => r["Digits"]));
    }

    [Fact]
    public async Task Relative_urls_resolve_against_the_document_that_contained_them()
    {
        _world.Receiver.Serve("/flows/main/start", "<Response><Redirect>next?step=2</Redirect></Response>");
        _world.Receiver.Serve("/flows/main/next", "<Response><Gather action=\"../collect\" numDigits=\"1\"/></Response>");
        _world.Receiver.Serve("/flows/collect", "<Response><Record action=\"done\" maxLength=\"5\"/></Response>");
        _world.Receiver.Serve("/flows/done", "<Response/>");

        _world.CallIn("/flows/main/start", new CallerInput { Digits = "7" });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal("/flows/main/next?step=2", Assert.Single(_world.Receiver.At("/flows/main/next")).PathAndQuery);
        Assert.Equal("7", Assert.Single(_world.Receiver.At("/flows/collect"))["Digits"]);
        Assert.Single(_world.Receiver.At("/flows/done"));
    }

    [Fact]
    public async Task Without_an_action_the_gather_posts_to_the_current_document()
    {
        _world.Receiver.Serve("/self", r => Reply.Xml(r.Form.ContainsKey("Digits") ? "<Response><Hangup/></Response>" : "<Response><Gather numDigits=\"1\"/></Response>"));

        _world.CallIn("/self", new CallerInput { Digits = "3" });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal([null, "3"], _world.Receiver.At("/self").Select(r => r.Form.GetValueOrDefault("Digits")));
    }

    [Fact]
    public async Task A_number_s_voice_url_answers_and_its_status_callback_hears_only_completed_with_direction_inbound()
    {
        await IncomingPhoneNumberResource.CreateAsync(
            phoneNumber: new PhoneNumber("+14155550101"), voiceUrl: new Uri(SimulatorWorld.Url("/number/voice")),
            statusCallback: new Uri(SimulatorWorld.Url("/number/status")), client: _world.Twilio);
        _world.Receiver.Serve("/number/voice", "<Response><Say loop=\"3\">Thanks for calling</Say></Response>");

        var callSid = _world.Control.StartInboundCall(new InboundCallRequest { From = "+12125550199", To = "+14155550101" });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var status = Assert.Single(_world.Receiver.At("/number/status"));
        Assert.True(status.SignatureValid);
        Assert.Equal(("completed", "inbound", callSid, "0"), (status["CallStatus"], status["Direction"], status["CallSid"], status["SequenceNumber"]));
        Assert.Equal(("3", "1", "200", "call-progress-events"), (status["CallDuration"], status["Duration"], status["SipResponseCode"], status["CallbackSource"]));
        Assert.Equal("Mon, 02 Mar 2026 09:00:03 +0000", status["Timestamp"]);
        var listed = Assert.Single(await CallResource.ReadAsync(to: new PhoneNumber("+14155550101"), client: _world.Twilio));
        Assert.Equal((callSid, "inbound"), (listed.Sid, listed.Direction));
    }

    [Fact]
    public async Task The_caller_hanging_up_ends_the_call_in_the_middle_of_a_verb()
    {
        _world.Receiver.Serve("/long", "<Response><Say loop=\"0\">Please hold</Say></Response>");

        var callSid = _world.Control.StartInboundCall(new InboundCallRequest
        {
            From = "+14155550100", To = SimulatorWorld.From, Url = SimulatorWorld.Url("/long"), HangUpAfterSeconds = 12,
        });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var log = _world.Log(callSid);
        Assert.Equal(("completed", "hangup"), (log.Status, Assert.Single(log.Verbs).Outcome));
        Assert.Equal("12", (await CallResource.FetchAsync(callSid, client: _world.Twilio)).Duration);
    }

    [Fact]
    public async Task Reject_busy_ends_the_unanswered_call_busy()
    {
        _world.Receiver.Serve("/reject", "<Response><Reject reason=\"busy\"/></Response>");
        _world.Receiver.Serve("/reject-default", "<Response><Reject/></Response>");

        var busy = _world.CallIn("/reject");
        var rejected = _world.CallIn("/reject-default");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("busy", _world.Log(busy).Status);
        Assert.Equal("no-answer", _world.Log(rejected).Status);
        Assert.Equal("0", (await CallResource.FetchAsync(busy, client: _world.Twilio)).Duration);
    }

    [Fact]
    public async Task Rest_update_with_a_url_replaces_the_running_document()
    {
        _world.Receiver.Serve("/hold", "<Response><Say loop=\"0\">Please hold</Say></Response>");
        _world.Receiver.Serve("/moved", "<Response><Say>You were moved</Say></Response>");
        var callSid = _world.CallIn("/hold");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        await CallResource.UpdateAsync(callSid, url: new Uri(SimulatorWorld.Url("/moved")), client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        var log = _world.Log(callSid);
        Assert.Equal(["Say redirected", "Say completed"], log.Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        Assert.Equal("completed", log.Status);
        Assert.Equal("in-progress", Assert.Single(_world.Receiver.At("/moved"))["CallStatus"]);
    }

    [Fact]
    public async Task Rest_update_with_twiml_or_completed_takes_effect_at_once()
    {
        _world.Receiver.Serve("/hold", "<Response><Say loop=\"0\">Please hold</Say></Response>");
        var twimlCall = _world.CallIn("/hold");
        var hungUp = _world.CallIn("/hold");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        await CallResource.UpdateAsync(twimlCall, twiml: new Twiml("<Response><Say>Inline</Say><Hangup/></Response>"), client: _world.Twilio);
        await CallResource.UpdateAsync(hungUp, status: CallResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["Say redirected", "Say completed", "Hangup completed"], _world.Log(twimlCall).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        Assert.Equal(CallResource.StatusEnum.Completed, (await CallResource.FetchAsync(hungUp, client: _world.Twilio)).Status);
        Assert.Equal("hangup", Assert.Single(_world.Log(hungUp).Verbs).Outcome);
    }

    [Fact]
    public async Task Dialling_a_busy_number_posts_dial_call_status_busy()
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15551239999", Outcome = CallOutcomeKind.Busy, RingSeconds = 4 });
        _world.Receiver.Serve("/forward", "<Response><Dial action=\"/forward/done\" timeout=\"20\"><Number>+15551239999</Number></Dial><Say>Never</Say></Response>");
        _world.Receiver.Serve("/forward/done", "<Response><Say>They are busy</Say></Response>");

        var callSid = _world.CallIn("/forward");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var done = Assert.Single(_world.Receiver.At("/forward/done"));
        Assert.Equal(("busy", "0", "false", "in-progress"), (done["DialCallStatus"], done["DialCallDuration"], done["DialBridged"], done["CallStatus"]));
        Assert.Matches("^CA[0-9a-f]{32}$", done["DialCallSid"]);
        Assert.NotEqual(callSid, done["DialCallSid"]);
        Assert.Equal(["Dial busy", "Say completed"], _world.Log(callSid).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        Assert.Equal(Start.AddSeconds(4), _world.Log(callSid).Verbs[1].Time);
    }

    [Fact]
    public async Task A_dialled_number_that_answers_talks_then_posts_completed_and_without_action_the_next_verb_runs()
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15551230001", Outcome = CallOutcomeKind.Human, RingSeconds = 2, TalkSeconds = 30 });
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15551230002", Outcome = CallOutcomeKind.NoAnswer });
        _world.Receiver.Serve("/dial", """
            <Response>
              <Dial action="/dial/first" record="record-from-answer"><Number>+15551230001</Number></Dial>
            </Response>
            """);
        _world.Receiver.Serve("/dial/first", "<Response><Dial timeout=\"10\">+15551230002</Dial><Say>No answer there</Say></Response>");

        var callSid = _world.CallIn("/dial");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var first = Assert.Single(_world.Receiver.At("/dial/first"));
        Assert.Equal(("completed", "30", "true"), (first["DialCallStatus"], first["DialCallDuration"], first["DialBridged"]));
        Assert.Equal("30", first["RecordingDuration"]);
        Assert.Equal(["Dial +15551230001 completed", "Dial +15551230002 no-answer", "Say No answer there completed"],
            _world.Log(callSid).Verbs.Select(v => $"{v.Verb} {v.Text} {v.Outcome}"));
        Assert.Equal(Start.AddSeconds(42), _world.Log(callSid).Verbs[2].Time);
    }

    [Fact]
    public async Task Record_posts_the_recording_and_sends_the_recording_callback_and_an_empty_recording_falls_through()
    {
        _world.Receiver.Serve("/voicemail", """
            <Response>
              <Say>Leave a message</Say>
              <Record maxLength="10" action="/voicemail/saved" recordingStatusCallback="/voicemail/status" finishOnKey="#"/>
            </Response>
            """);
        _world.Receiver.Serve("/voicemail/saved", "<Response><Say>Thanks</Say></Response>");
        _world.Receiver.Serve("/silent", "<Response><Record action=\"/voicemail/saved\" timeout=\"4\"/><Say>No message</Say></Response>");

        var callSid = _world.CallIn("/voicemail");
        var silentSid = _world.Control.StartInboundCall(new InboundCallRequest
        {
            From = "+14155550100", To = SimulatorWorld.From, Url = SimulatorWorld.Url("/silent"), RecordSeconds = 0,
        });
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var saved = Assert.Single(_world.Receiver.At("/voicemail/saved"));
        Assert.Equal(("3", "#", callSid), (saved["RecordingDuration"], saved["Digits"], saved["CallSid"]));
        Assert.Matches("^RE[0-9a-f]{32}$", saved["RecordingSid"]);
        Assert.EndsWith("/Recordings/" + saved["RecordingSid"], saved["RecordingUrl"], StringComparison.Ordinal);
        var status = Assert.Single(_world.Receiver.At("/voicemail/status"));
        Assert.Equal(("completed", "RecordVerb", saved["RecordingSid"], "3"), (status["RecordingStatus"], status["RecordingSource"], status["RecordingSid"], status["RecordingDuration"]));
        Assert.Equal("recording", Assert.Single(_world.Control.Webhooks, w => w.Url == SimulatorWorld.Url("/voicemail/status")).Kind);
        var recording = await RecordingResource.FetchAsync(saved["RecordingSid"], client: _world.Twilio);
        Assert.Equal((callSid, "3"), (recording.CallSid, recording.Duration));
        using var http = _world.Host.CreateHttpClient();
        var wav = await http.GetByteArrayAsync(new Uri(saved["RecordingUrl"] + ".wav"), TestContext.Current.CancellationToken);
        Assert.Equal(44 + (3 * 8000 * 2), wav.Length);

        Assert.Equal(["Record empty", "Say completed"], _world.Log(silentSid).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        Assert.Equal(Start.AddSeconds(4), _world.Log(silentSid).Verbs[1].Time);
    }

    [Fact]
    public async Task Malformed_xml_fails_the_call_with_12100()
    {
        _world.Receiver.Serve("/broken", "<Response><Say>Unclosed</Response>");
        _world.Receiver.Serve("/not-response", "<Twiml><Say>Hi</Say></Twiml>");

        var broken = _world.CallIn("/broken");
        var notResponse = _world.CallIn("/not-response");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Equal((12100, "failed"), (_world.Log(broken).ErrorCode, _world.Log(broken).Status));
        Assert.Equal(12100, _world.Log(notResponse).ErrorCode);
        Assert.Equal(CallResource.StatusEnum.Failed, (await CallResource.FetchAsync(broken, client: _world.Twilio)).Status);
    }

    [Theory]
    [InlineData("<Response><Speak>Hi</Speak></Response>")]
    [InlineData("<Response><say>Hi</say></Response>")]
    [InlineData("<Response><Number>+15551230000</Number></Response>")]
    [InlineData("<Response><Gather><Dial>+15551230000</Dial></Gather></Response>")]
    [InlineData("<Response><Gather timeout=\"soon\"/></Response>")]
    [InlineData("<Response><Pause length=\"-1\"/></Response>")]
    [InlineData("<Response><Gather input=\"keys\"/></Response>")]
    public async Task Well_formed_twiml_that_breaks_the_schema_fails_the_call_with_12200(string twiml)
    {
        _world.Receiver.Serve("/schema", twiml);

        var callSid = _world.CallIn("/schema");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        var log = _world.Log(callSid);
        Assert.Equal((12200, "failed"), (log.ErrorCode, log.Status));
        Assert.Empty(log.Verbs);
    }

    [Fact]
    public async Task An_error_after_the_answer_ends_the_call_completed_with_its_code()
    {
        _world.Receiver.Serve("/ok", "<Response><Say>Hi</Say><Redirect>/html</Redirect></Response>");
        _world.Receiver.Serve("/html", _ => new Reply(200, "text/html", "<html><body>Oops</body></html>"));

        var callSid = _world.CallIn("/ok");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        var log = _world.Log(callSid);
        Assert.Equal((12300, "completed"), (log.ErrorCode, log.Status));
        Assert.Contains("text/html", log.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_voice_url_is_11200_and_the_number_s_fallback_url_takes_over()
    {
        await IncomingPhoneNumberResource.CreateAsync(
            phoneNumber: new PhoneNumber("+14155550102"), voiceUrl: new Uri(SimulatorWorld.Url("/primary#rc=0")),
            voiceFallbackUrl: new Uri(SimulatorWorld.Url("/fallback")), client: _world.Twilio);
        _world.Receiver.Serve("/primary", _ => new Reply(500, null, null));
        _world.Receiver.Serve("/fallback", "<Response><Say>Sorry, try later</Say></Response>");
        _world.Receiver.Serve("/no-fallback", _ => new Reply(503, null, null));

        var callSid = _world.Control.StartInboundCall(new InboundCallRequest { From = "+12125550199", To = "+14155550102" });
        var failed = _world.CallIn("/no-fallback#rc=0");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));

        var fallback = Assert.Single(_world.Receiver.At("/fallback"));
        Assert.Equal(("11200", SimulatorWorld.Url("/primary#rc=0")), (fallback["ErrorCode"], fallback["ErrorUrl"]));
        var log = _world.Log(callSid);
        Assert.Equal((11200, "completed"), (log.ErrorCode, log.Status));
        Assert.Equal("Say Sorry, try later completed", $"{log.Verbs[0].Verb} {log.Verbs[0].Text} {log.Verbs[0].Outcome}");
        Assert.Equal((11200, "failed"), (_world.Log(failed).ErrorCode, _world.Log(failed).Status));
        Assert.Single(_world.Receiver.At("/primary"));
    }

    [Fact]
    public async Task Outbound_calls_still_only_fetch_their_url()
    {
        _world.Receiver.Serve("/outbound", "<Response><Redirect>/outbound/next</Redirect></Response>");

        var call = await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230300"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.Url("/outbound")),
            client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal("outbound-api", Assert.Single(_world.Receiver.At("/outbound"))["Direction"]);
        Assert.Empty(_world.Receiver.At("/outbound/next"));
        Assert.Null(_world.Control.TwimlLog(call.Sid));
    }
}
