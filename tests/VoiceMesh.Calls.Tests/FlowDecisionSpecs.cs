using System.Xml.Linq;
using VoiceMesh.Calls.Flows;
using VoiceMesh.Calls.Lifecycle;

namespace VoiceMesh.Calls.Tests;

/// <summary>
/// Each turn of a call through the sample IVR: the TwiML Twilio is answered with (parsed back from the document) and
/// the events that record the turn on the call's stream.
/// </summary>
public sealed class FlowDecisionSpecs
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string Gather0 = "/twilio/voice/flow/ivr/1/menu/gather?attempt=0";
    private const string Gather1 = "/twilio/voice/flow/ivr/1/menu/gather?attempt=1";
    private const string RecordUrl = "/twilio/voice/flow/ivr/1/voicemail/record";

    /// <summary>Monday 10:00 in New York: the sample IVR is open.</summary>
    private static readonly DateTimeOffset Open = new(2026, 11, 30, 15, 0, 0, TimeSpan.Zero);

    /// <summary>Sunday 22:00 in New York: the sample IVR is closed.</summary>
    private static readonly DateTimeOffset Closed = new(2026, 11, 30, 3, 0, 0, TimeSpan.Zero);

    private static readonly LoadedFlow Ivr = FlowDefinitionSpecs.Load(FlowDefinitionSpecs.Ivr);

    private static TwimlRequest Incoming(string? callStatus = "ringing") => new()
    {
        CallSid = CallSid,
        Direction = "inbound",
        From = "+14155550100",
        To = "+15005550006",
        CallStatus = callStatus,
    };

    private static TwimlRequest Request() => new() { CallSid = CallSid };

    private static FlowStarted Started(DateTimeOffset at) => new()
    {
        CallSid = CallSid,
        FlowId = "ivr",
        Version = 1,
        Direction = "inbound",
        From = "+14155550100",
        To = "+15005550006",
        CallStatus = CallStatus.Ringing,
        StartedAt = at,
    };

    private static FlowStepEntered Entered(string step, FlowStepType type, DateTimeOffset at, string? branch = null) => new()
    {
        CallSid = CallSid, Step = step, Type = type, Branch = branch, EnteredAt = at,
    };

    private static FlowTurn Continue(string step, FlowAction action, TwimlRequest request, int attempt = 0, Call? call = null) =>
        FlowDecisions.Continue(Ivr, step, action, attempt, call, request, Open);

    private static FlowTurn Gather(string? digits = null, string? speech = null, double? confidence = null, int attempt = 0) =>
        Continue("menu", FlowAction.Gather, Request() with { Digits = digits, SpeechResult = speech, Confidence = confidence }, attempt);

    /// <summary>The verbs of the document, after checking it is a TwiML document.</summary>
    private static XElement[] Verbs(FlowTurn turn)
    {
        var xml = turn.Twiml.ToString();
        Assert.StartsWith("<?xml", xml, StringComparison.Ordinal);
        var root = XDocument.Parse(xml).Root!;
        Assert.Equal(XName.Get("Response"), root.Name);
        return [.. root.Elements()];
    }

    private static string[] Names(IEnumerable<XElement> verbs) => [.. verbs.Select(v => v.Name.LocalName)];

    private static string? Attribute(XElement element, string name) => (string?)element.Attribute(name);

    private static void AssertSay(string text, XElement verb)
    {
        Assert.Equal("Say", verb.Name.LocalName);
        Assert.Equal(text, verb.Value);
    }

    private static void AssertVoicemail(XElement[] verbs)
    {
        Assert.Equal(["Say", "Record", "Redirect"], Names(verbs));
        AssertSay("Leave a message.", verbs[0]);
        Assert.Equal(RecordUrl, Attribute(verbs[1], "action"));
        Assert.Equal("/twilio/recording/status", Attribute(verbs[1], "recordingStatusCallback"));
        Assert.Equal("POST", Attribute(verbs[1], "method"));
        Assert.Equal("60", Attribute(verbs[1], "maxLength"));
        Assert.Equal("#", Attribute(verbs[1], "finishOnKey"));
        Assert.Equal(RecordUrl, verbs[2].Value);
        Assert.Equal("POST", Attribute(verbs[2], "method"));
    }

    private static void AssertMenu(XElement[] gatherThenRedirect, string url)
    {
        Assert.Equal(["Gather", "Redirect"], Names(gatherThenRedirect));
        var gather = gatherThenRedirect[0];
        Assert.Equal("dtmf speech", Attribute(gather, "input"));
        Assert.Equal(url, Attribute(gather, "action"));
        Assert.Equal("POST", Attribute(gather, "method"));
        Assert.Equal("5", Attribute(gather, "timeout"));
        Assert.Equal("sales, support", Attribute(gather, "hints"));
        AssertSay("For sales press 1, for support press 2.", Assert.Single(gather.Elements()));
        Assert.Equal(url, gatherThenRedirect[1].Value);
        Assert.Equal("POST", Attribute(gatherThenRedirect[1], "method"));
    }

    /// <summary>The call's state after its stream's events, as the event store folds them.</summary>
    private static Call Fold(Call? call, IEnumerable<object> events)
    {
        foreach (var e in events)
        {
            call = (e, call) switch
            {
                (FlowStarted started, null) => Call.Create(started),
                (FlowStarted started, { } c) => c.Apply(started),
                (FlowStepEntered entered, { } c) => c.Apply(entered),
                (CallerInputReceived input, { } c) => c.Apply(input),
                (DialEnded ended, { } c) => c.Apply(ended),
                (QueueJoined joined, { } c) => c.Apply(joined),
                (QueuePositionReported reported, { } c) => c.Apply(reported),
                (QueueLeft left, { } c) => c.Apply(left),
                (VoicemailRecorded recorded, { } c) => c.Apply(recorded),
                _ => throw new InvalidOperationException($"{e.GetType().Name} does not apply to {(call is null ? "a new call" : "the call")}."),
            };
        }

        return call!;
    }

    [Fact]
    public void A_call_in_opening_hours_starts_the_flow_and_hears_the_welcome_before_the_menu()
    {
        var turn = FlowDecisions.Start(Ivr, null, Incoming(), Open);

        Assert.Equal<object>(
            [
                Started(Open),
                Entered("hours", FlowStepType.Hours, Open, "open"),
                Entered("welcome", FlowStepType.Say, Open),
                Entered("menu", FlowStepType.Menu, Open),
            ],
            turn.Events);
        var verbs = Verbs(turn);
        Assert.Equal(["Say", "Gather", "Redirect"], Names(verbs));
        AssertSay("Welcome to Example.", verbs[0]);
        AssertMenu(verbs[1..], Gather0);
    }

    [Fact]
    public void A_call_out_of_hours_goes_straight_to_voicemail()
    {
        var turn = FlowDecisions.Start(Ivr, null, Incoming(), Closed);

        Assert.Equal<object>(
            [
                Started(Closed),
                Entered("hours", FlowStepType.Hours, Closed, "closed"),
                Entered("voicemail", FlowStepType.Voicemail, Closed),
            ],
            turn.Events);
        AssertVoicemail(Verbs(turn));
    }

    [Theory]
    [InlineData(null, CallStatus.Ringing)]
    [InlineData("in-progress", CallStatus.InProgress)]
    [InlineData("Ringing?", CallStatus.Ringing)]
    public void The_flow_records_the_call_status_twilio_reported_and_ringing_when_it_reported_none_it_knows(string? wire, CallStatus status)
    {
        var turn = FlowDecisions.Start(Ivr, null, Incoming(wire), Open);

        Assert.Equal(status, Assert.IsType<FlowStarted>(turn.Events[0]).CallStatus);
    }

    [Fact]
    public void A_call_that_started_the_flow_already_is_not_started_again_but_its_path_goes_on()
    {
        var call = Call.Create(Started(Closed));

        var turn = FlowDecisions.Start(Ivr, call, Incoming(), Open);

        Assert.DoesNotContain(turn.Events, e => e is FlowStarted);
        Assert.Equal(["hours", "welcome", "menu"], turn.Events.Cast<FlowStepEntered>().Select(e => e.Step));
        Assert.Equal(["Say", "Gather", "Redirect"], Names(Verbs(turn)));
    }

    [Fact]
    public void Pressing_1_forwards_the_caller_to_sales()
    {
        var turn = Gather(digits: "1");

        Assert.Equal<object>(
            [
                new CallerInputReceived
                {
                    CallSid = CallSid, Step = "menu", Digits = "1", Outcome = MenuOutcome.Matched, Chosen = "sales", Attempt = 0, ReceivedAt = Open,
                },
                Entered("sales", FlowStepType.Forward, Open),
            ],
            turn.Events);
        var dial = Assert.Single(Verbs(turn));
        Assert.Equal("Dial", dial.Name.LocalName);
        Assert.Equal("+15005550006", Attribute(dial, "callerId"));
        Assert.Equal("20", Attribute(dial, "timeout"));
        Assert.Equal("/twilio/voice/flow/ivr/1/sales/dial", Attribute(dial, "action"));
        Assert.Equal("POST", Attribute(dial, "method"));
        var number = Assert.Single(dial.Elements());
        Assert.Equal("Number", number.Name.LocalName);
        Assert.Equal("+14155550123", number.Value);
    }

    [Fact]
    public void Pressing_2_puts_the_caller_in_the_support_queue()
    {
        var turn = Gather(digits: "2");

        var input = Assert.IsType<CallerInputReceived>(turn.Events[0]);
        Assert.Equal((MenuOutcome.Matched, "support"), (input.Outcome, input.Chosen));
        Assert.Equal(Entered("support", FlowStepType.Queue, Open), turn.Events[1]);
        var enqueue = Assert.Single(Verbs(turn));
        Assert.Equal("Enqueue", enqueue.Name.LocalName);
        Assert.Equal("support", enqueue.Value);
        Assert.Equal("/twilio/voice/flow/ivr/1/support/queue", Attribute(enqueue, "action"));
        Assert.Equal("/twilio/voice/flow/ivr/1/support/wait", Attribute(enqueue, "waitUrl"));
        Assert.Equal("POST", Attribute(enqueue, "waitUrlMethod"));
    }

    [Fact]
    public void No_input_replays_the_menu_after_the_invalid_prompt_with_the_next_attempt()
    {
        var turn = Gather();

        Assert.Equal<object>(
            [
                new CallerInputReceived { CallSid = CallSid, Step = "menu", Outcome = MenuOutcome.NoInput, Attempt = 0, ReceivedAt = Open },
                Entered("menu", FlowStepType.Menu, Open, "retry"),
            ],
            turn.Events);
        var verbs = Verbs(turn);
        Assert.Equal(["Say", "Gather", "Redirect"], Names(verbs));
        AssertSay("Sorry, that is not an option.", verbs[0]);
        AssertMenu(verbs[1..], Gather1);
    }

    [Fact]
    public void No_input_once_the_retries_are_used_up_goes_to_voicemail()
    {
        var turn = Gather(attempt: 1);

        Assert.Equal<object>(
            [
                new CallerInputReceived { CallSid = CallSid, Step = "menu", Outcome = MenuOutcome.NoInput, Attempt = 1, ReceivedAt = Open },
                Entered("voicemail", FlowStepType.Voicemail, Open),
            ],
            turn.Events);
        AssertVoicemail(Verbs(turn));
    }

    [Theory]
    [InlineData("9", null, null, MenuOutcome.Invalid)]
    [InlineData(null, "sales please", 0.3, MenuOutcome.LowConfidence)]
    [InlineData(null, "sales please", null, MenuOutcome.LowConfidence)]
    [InlineData(null, "billing please", 0.9, MenuOutcome.Invalid)]
    public void An_unknown_choice_or_doubtful_speech_replays_the_menu(string? digits, string? speech, double? confidence, MenuOutcome outcome)
    {
        var turn = Gather(digits, speech, confidence);

        var input = Assert.IsType<CallerInputReceived>(turn.Events[0]);
        Assert.Equal(outcome, input.Outcome);
        Assert.Null(input.Chosen);
        Assert.Equal((digits, speech, confidence), (input.Digits, input.Speech, input.Confidence));
        Assert.Equal(Entered("menu", FlowStepType.Menu, Open, "retry"), turn.Events[1]);
        var verbs = Verbs(turn);
        AssertSay("Sorry, that is not an option.", verbs[0]);
        AssertMenu(verbs[1..], Gather1);
    }

    [Fact]
    public void Confident_speech_that_names_an_option_chooses_it()
    {
        var turn = Gather(speech: "Sales please", confidence: 0.9);

        var input = Assert.IsType<CallerInputReceived>(turn.Events[0]);
        Assert.Equal((MenuOutcome.Matched, "sales", "Sales please"), (input.Outcome, input.Chosen, input.Speech));
        Assert.Equal(Entered("sales", FlowStepType.Forward, Open), turn.Events[1]);
        Assert.Equal("Dial", Assert.Single(Verbs(turn)).Name.LocalName);
    }

    [Theory]
    [InlineData("Sales please", true)]
    [InlineData("SALES.", true)]
    [InlineData("wholesales", false)]
    [InlineData("salesperson", false)]
    public void Speech_chooses_an_option_only_when_its_phrase_is_said_as_whole_words(string speech, bool chosen)
    {
        var turn = Gather(speech: speech, confidence: 0.9);

        var input = Assert.IsType<CallerInputReceived>(turn.Events[0]);
        Assert.Equal(chosen ? MenuOutcome.Matched : MenuOutcome.Invalid, input.Outcome);
    }

    [Theory]
    [InlineData("busy", DialStatus.Busy)]
    [InlineData("no-answer", DialStatus.NoAnswer)]
    [InlineData("failed", DialStatus.Failed)]
    public void A_forward_nobody_answers_goes_to_voicemail(string wire, DialStatus status)
    {
        var turn = Continue("sales", FlowAction.Dial, Request() with { DialCallStatus = wire, DialCallSid = "CA1", DialCallDuration = 0 });

        Assert.Equal<object>(
            [
                new DialEnded { CallSid = CallSid, Step = "sales", Status = status, DialCallSid = "CA1", DurationSeconds = 0, EndedAt = Open },
                Entered("voicemail", FlowStepType.Voicemail, Open),
            ],
            turn.Events);
        AssertVoicemail(Verbs(turn));
    }

    [Fact]
    public void An_answered_forward_with_no_next_step_hangs_up_after_the_conversation()
    {
        var turn = Continue("sales", FlowAction.Dial, Request() with { DialCallStatus = "completed", DialCallDuration = 73 });

        var ended = Assert.IsType<DialEnded>(Assert.Single(turn.Events));
        Assert.Equal((DialStatus.Completed, 73), (ended.Status, ended.DurationSeconds));
        Assert.Equal(["Hangup"], Names(Verbs(turn)));
    }

    [Fact]
    public void The_first_wait_request_joins_the_queue_and_announces_the_position()
    {
        var turn = Continue("support", FlowAction.Wait, Request() with { QueuePosition = 3, QueueTime = 0, QueueSid = "QU1" });

        Assert.Equal<object>(
            [
                new QueueJoined
                {
                    CallSid = CallSid, Step = "support", Queue = "support", QueueSid = "QU1", Position = 3, QueueTimeSeconds = 0, ReportedAt = Open,
                },
            ],
            turn.Events);
        var verbs = Verbs(turn);
        Assert.Equal(["Say", "Pause"], Names(verbs));
        AssertSay("You are caller number 3.", verbs[0]);
        Assert.Equal("10", Attribute(verbs[1], "length"));
    }

    [Fact]
    public void A_wait_report_of_the_position_the_call_holds_records_nothing()
    {
        var first = Request() with { QueuePosition = 3, QueueTime = 0, QueueSid = "QU1" };
        var call = Fold(Call.Create(Started(Open)), Continue("support", FlowAction.Wait, first).Events);

        var turn = Continue("support", FlowAction.Wait, first with { QueueTime = 20 }, call: call);

        Assert.Empty(turn.Events);
        Assert.Equal(["Say", "Pause"], Names(Verbs(turn)));
    }

    [Fact]
    public void A_new_position_is_reported_with_the_expected_wait()
    {
        var call = Fold(Call.Create(Started(Open)), Continue("support", FlowAction.Wait, Request() with { QueuePosition = 3, QueueTime = 0 }).Events);

        var turn = Continue("support", FlowAction.Wait, Request() with { QueuePosition = 2, QueueTime = 30, AvgQueueTime = 150 }, call: call);

        Assert.Equal<object>([new QueuePositionReported { CallSid = CallSid, Position = 2, QueueTimeSeconds = 30, ReportedAt = Open }], turn.Events);
        var verbs = Verbs(turn);
        Assert.Equal(["Say", "Say", "Pause"], Names(verbs));
        AssertSay("You are caller number 2.", verbs[0]);
        AssertSay("Your expected wait is about 2 minutes.", verbs[1]);
        Assert.Equal(2, Fold(call, turn.Events).Queue!.Position);
    }

    [Fact]
    public void A_caller_in_a_queue_they_left_before_joins_it_again()
    {
        var call = Fold(Call.Create(Started(Open)), [
            new QueueJoined { CallSid = CallSid, Step = "support", Queue = "support", Position = 3, QueueTimeSeconds = 0, ReportedAt = Open },
            new QueueLeft { CallSid = CallSid, Step = "support", Queue = "support", Result = QueueResult.Leave, LeftAt = Open },
        ]);

        var turn = Continue("support", FlowAction.Wait, Request() with { QueuePosition = 3, QueueTime = 0 }, call: call);

        Assert.IsType<QueueJoined>(Assert.Single(turn.Events));
    }

    [Theory]
    [InlineData(119, "Pause")]
    [InlineData(120, "Leave")]
    [InlineData(500, "Leave")]
    public void A_caller_who_waited_the_longest_allowed_leaves_the_queue(int waited, string verb)
    {
        var call = Fold(Call.Create(Started(Open)), Continue("support", FlowAction.Wait, Request() with { QueuePosition = 3, QueueTime = 0 }).Events);

        var turn = Continue("support", FlowAction.Wait, Request() with { QueuePosition = 3, QueueTime = waited }, call: call);

        Assert.Empty(turn.Events);
        var last = Verbs(turn)[^1];
        Assert.Equal(verb, last.Name.LocalName);
        Assert.Equal(verb == "Pause" ? "1" : null, Attribute(last, "length"));
    }

    [Theory]
    [InlineData("leave", QueueResult.Leave)]
    [InlineData("queue-full", QueueResult.QueueFull)]
    [InlineData("error", QueueResult.Error)]
    [InlineData("dropped-by-martians", QueueResult.Unknown)]
    public void A_caller_turned_away_from_the_queue_goes_to_the_overflow(string wire, QueueResult result)
    {
        var turn = Continue("support", FlowAction.Queue, Request() with { QueueResult = wire, QueueTime = 120 });

        Assert.Equal<object>(
            [
                new QueueLeft { CallSid = CallSid, Step = "support", Queue = "support", Result = result, QueueTimeSeconds = 120, LeftAt = Open },
                Entered("voicemail", FlowStepType.Voicemail, Open),
            ],
            turn.Events);
        AssertVoicemail(Verbs(turn));
    }

    [Theory]
    [InlineData("bridged", QueueResult.Bridged)]
    [InlineData("hangup", QueueResult.Hangup)]
    public void A_caller_served_by_an_agent_or_gone_from_the_queue_is_hung_up(string wire, QueueResult result)
    {
        var turn = Continue("support", FlowAction.Queue, Request() with { QueueResult = wire });

        Assert.Equal(result, Assert.IsType<QueueLeft>(Assert.Single(turn.Events)).Result);
        Assert.Equal(["Hangup"], Names(Verbs(turn)));
    }

    [Fact]
    public void A_recorded_message_is_reported_and_the_caller_hears_goodbye()
    {
        var turn = Continue("voicemail", FlowAction.Record, Request() with
        {
            RecordingSid = "RE1", RecordingUrl = "https://api.twilio.com/recordings/RE1", RecordingDuration = 12,
        });

        Assert.Equal<object>(
            [
                new VoicemailRecorded
                {
                    CallSid = CallSid, Step = "voicemail", RecordingSid = "RE1", RecordingUrl = "https://api.twilio.com/recordings/RE1",
                    DurationSeconds = 12, RecordedAt = Open,
                },
                Entered("bye", FlowStepType.HangUp, Open),
            ],
            turn.Events);
        var verbs = Verbs(turn);
        Assert.Equal(["Say", "Hangup"], Names(verbs));
        AssertSay("Goodbye.", verbs[0]);
    }

    [Fact]
    public void A_voicemail_without_a_recording_is_reported_empty_and_still_says_goodbye()
    {
        var turn = Continue("voicemail", FlowAction.Record, Request());

        var recorded = Assert.IsType<VoicemailRecorded>(turn.Events[0]);
        Assert.Null(recorded.RecordingSid);
        Assert.Equal(Entered("bye", FlowStepType.HangUp, Open), turn.Events[1]);
        Assert.Equal(["Say", "Hangup"], Names(Verbs(turn)));
        Assert.Equal("empty", Fold(Call.Create(Started(Open)), turn.Events).Flow!.Path[0].Result);
    }

    [Theory]
    [InlineData("nowhere", FlowAction.Enter)]
    [InlineData("menu", FlowAction.Dial)]
    [InlineData("sales", FlowAction.Gather)]
    [InlineData("support", FlowAction.Record)]
    [InlineData("voicemail", FlowAction.Wait)]
    [InlineData("welcome", FlowAction.Queue)]
    public void A_request_for_a_step_or_action_the_flow_version_does_not_have_is_a_mismatch(string step, FlowAction action)
    {
        var mismatch = Assert.Throws<FlowMismatchException>(() => Continue(step, action, Request()));

        Assert.Contains($"'{step}'", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entering_a_step_again_runs_it_from_its_start()
    {
        var turn = Continue("welcome", FlowAction.Enter, Request());

        Assert.Equal<object>([Entered("welcome", FlowStepType.Say, Open), Entered("menu", FlowStepType.Menu, Open)], turn.Events);
        Assert.Equal(["Say", "Gather", "Redirect"], Names(Verbs(turn)));
    }

    [Fact]
    public void A_voice_and_language_the_steps_name_are_written_and_none_is_written_where_they_name_none()
    {
        var flow = FlowDefinitionSpecs.Load("""
            { "start": "hello", "steps": {
              "hello": { "type": "say", "text": "Hallo.", "voice": "Polly.Marlene", "language": "de-DE", "next": "menu" },
              "menu": { "type": "menu", "prompt": "Eins oder zwei?", "voice": "Polly.Marlene", "language": "de-DE",
                        "options": [{ "digits": "1", "next": "bye" }], "noInput": "bye" },
              "bye": { "type": "hangup" } } }
            """, "de");

        var verbs = Verbs(FlowDecisions.Start(flow, null, Incoming(), Open));
        var plain = Verbs(FlowDecisions.Start(Ivr, null, Incoming(), Open));

        var prompt = Assert.Single(verbs[1].Elements());
        Assert.Equal(("Polly.Marlene", "de-DE"), (Attribute(verbs[0], "voice"), Attribute(verbs[0], "language")));
        Assert.Equal("de-DE", Attribute(verbs[1], "language"));
        Assert.Equal(("Polly.Marlene", "de-DE"), (Attribute(prompt, "voice"), Attribute(prompt, "language")));
        Assert.DoesNotContain(plain.Concat(plain[1].Elements()).SelectMany(v => v.Attributes()), a => a.Name == "voice" || a.Name == "language");
    }

    [Fact]
    public void The_turns_events_applied_to_the_call_make_its_path_through_the_flow()
    {
        var start = FlowDecisions.Start(Ivr, null, Incoming(), Open);
        var call = Fold(null, start.Events);
        var pressed = Continue("menu", FlowAction.Gather, Request() with { Digits = "1" }, call: call);
        call = Fold(call, pressed.Events);
        var busy = Continue("sales", FlowAction.Dial, Request() with { DialCallStatus = "busy" }, call: call);
        call = Fold(call, busy.Events);
        var recorded = Continue("voicemail", FlowAction.Record, Request() with { RecordingSid = "RE1" }, call: call);
        call = Fold(call, recorded.Events);

        Assert.Equal(CallSid, call.Id);
        Assert.Equal(CallStatus.Ringing, call.Status);
        Assert.Equal(("ivr", 1), (call.Flow!.FlowId, call.Flow.Version));
        Assert.Equal(
            [
                new FlowPathEntry("hours", FlowStepType.Hours, Open, Branch: "open"),
                new FlowPathEntry("welcome", FlowStepType.Say, Open),
                new FlowPathEntry("menu", FlowStepType.Menu, Open),
                new FlowPathEntry("menu", FlowStepType.Menu, Open, Input: "1", Result: "sales"),
                new FlowPathEntry("sales", FlowStepType.Forward, Open),
                new FlowPathEntry("sales", FlowStepType.Forward, Open, Result: "busy"),
                new FlowPathEntry("voicemail", FlowStepType.Voicemail, Open),
                new FlowPathEntry("voicemail", FlowStepType.Voicemail, Open, Result: "recorded"),
                new FlowPathEntry("bye", FlowStepType.HangUp, Open),
            ],
            call.Flow.Path);
        Assert.Equal(("inbound", "+14155550100", "+15005550006"), (call.Direction, call.From, call.To));
    }
}
