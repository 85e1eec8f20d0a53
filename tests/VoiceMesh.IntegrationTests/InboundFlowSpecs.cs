using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Queue;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Inbound calls end to end: the simulator dials a number it owns, fetches the number's Voice URL through the
/// gateway (signed), runs the TwiML Calls answers with and follows its action and wait URLs; Calls records the path
/// on real PostgreSQL. Each spec asserts the verbs the simulator executed and the path in the call's lifecycle.
/// </summary>
public sealed class InboundFlowSpecs(InboundFlowSpecs.Numbers fixture) : IClassFixture<InboundFlowSpecs.Numbers>
{
    private const string Sales = "+14155550123";
    private const string Agent = "+14155550188";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Mesh _mesh = fixture.Mesh;
    private readonly string _ivrNumber = fixture.Ivr;
    private readonly string _closedNumber = fixture.Closed;
    private readonly string _unassignedNumber = fixture.Unassigned;

    internal static string Ivr(string queue, int maxWaitSeconds, string hours) => $$"""
        { "start": "hours", "steps": {
          "hours": { "type": "hours", "timeZone": "Etc/UTC", {{hours}}, "open": "welcome", "closed": "voicemail" },
          "welcome": { "type": "say", "text": "Welcome to Example.", "next": "menu" },
          "menu": { "type": "menu", "prompt": "For sales press 1. For support press 2.", "input": ["dtmf", "speech"],
                    "options": [ { "digits": "1", "speech": ["sales"], "next": "sales" }, { "digits": "2", "speech": ["support"], "next": "support" } ],
                    "retries": 1, "invalidPrompt": "Sorry, that is not an option.", "noInput": "voicemail" },
          "sales": { "type": "forward", "to": "{{Sales}}", "callerId": "+15005550006", "timeoutSeconds": 20, "noAnswer": "voicemail" },
          "support": { "type": "queue", "queue": "{{queue}}", "maxWaitSeconds": {{maxWaitSeconds}}, "overflow": "voicemail" },
          "voicemail": { "type": "voicemail", "prompt": "Please leave a message.", "maxLengthSeconds": 60, "next": "bye" },
          "bye": { "type": "hangup", "say": "Goodbye." } } }
        """;

    private const string AlwaysOpen =
        "\"weekly\": { \"monday\": [{ \"open\": \"00:00\", \"close\": \"23:59:59.9999999\" }], \"tuesday\": [{ \"open\": \"00:00\", \"close\": \"23:59:59.9999999\" }], "
        + "\"wednesday\": [{ \"open\": \"00:00\", \"close\": \"23:59:59.9999999\" }], \"thursday\": [{ \"open\": \"00:00\", \"close\": \"23:59:59.9999999\" }], "
        + "\"friday\": [{ \"open\": \"00:00\", \"close\": \"23:59:59.9999999\" }], \"saturday\": [{ \"open\": \"00:00\", \"close\": \"23:59:59.9999999\" }], "
        + "\"sunday\": [{ \"open\": \"00:00\", \"close\": \"23:59:59.9999999\" }] }";

    /// <summary>Open every day, but today and tomorrow (UTC) are holidays: closed whenever the spec runs.</summary>
    private static string HolidayToday()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return AlwaysOpen + $", \"holidays\": [\"{today:yyyy-MM-dd}\", \"{today.AddDays(1):yyyy-MM-dd}\"]";
    }

    private string Dial(string to, params CallerInput[] input) =>
        _mesh.Simulator.Control.StartInboundCall(new InboundCallRequest { From = "+14155550100", To = to, CallerInput = input });

    private static CallerInput Digits(string digits) => new() { Digits = digits };

    private static readonly CallerInput Silence = new() { Silence = true };

    private Task<CallTwimlLog> WaitForSimulator(string callSid, Func<CallTwimlLog, bool> done) =>
        _mesh.WaitForTwimlLog(callSid, done, Patience);

    /// <summary>
    /// A caller alone in a room stays there until it ends, as at Twilio: ends the room through the REST API once the
    /// caller is in it, so the flow goes on to its next step.
    /// </summary>
    private async Task EndRoomOnceJoined(string room, string callSid)
    {
        await WaitForSimulator(callSid, _ => _mesh.Simulator.Control.ConferenceRecord(room) is { } r
            && r.Participants.Any(p => p.CallSid == callSid && p.JoinedAt is not null && p.LeftAt is null));
        var conferenceSid = _mesh.Simulator.Control.ConferenceRecord(room)!.ConferenceSid;
        await ConferenceResource.UpdateAsync(
            conferenceSid, status: ConferenceResource.UpdateStatusEnum.Completed, client: _mesh.Simulator.CreateTwilioClient());
    }

    private Task<CallTwimlLog> Ended(string callSid) => WaitForSimulator(callSid, l => l.Status == "completed");

    private static string[] Verbs(CallTwimlLog log) => [.. log.Verbs.Select(v => v.Verb)];

    /// <summary>The call's read model once its completed status callback and every turn are stored.</summary>
    private Task<JsonElement> Completed(string callSid, int pathEntries) =>
        _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed"
            && c.GetProperty("flow").ValueKind == JsonValueKind.Object
            && c.GetProperty("flow").GetProperty("path").GetArrayLength() >= pathEntries, Patience);

    private static string[] Path(JsonElement call) =>
        [.. call.GetProperty("flow").GetProperty("path").EnumerateArray().Select(p =>
            string.Join(' ', new[] { p.GetProperty("step").GetString(), Text(p, "branch"), Text(p, "input"), Text(p, "result") }.Where(s => s is not null)))];

    private static string? Text(JsonElement element, string name) =>
        element.GetProperty(name).ValueKind == JsonValueKind.Null ? null : element.GetProperty(name).GetString();

    [Fact]
    public async Task A_caller_pressing_1_is_forwarded_to_sales_and_the_call_completes()
    {
        var callSid = Dial(_ivrNumber, Digits("1"));

        var log = await Ended(callSid);
        var call = await Completed(callSid, 6);

        Assert.Null(log.ErrorCode);
        Assert.Equal(["Say", "Gather", "Say", "Dial", "Hangup"], Verbs(log));
        Assert.Equal("Welcome to Example.", log.Verbs[0].Text);
        Assert.Equal("digits 1", log.Verbs[1].Outcome);
        var dial = log.Verbs[3];
        Assert.Equal(Sales, dial.Text);
        Assert.Equal("+15005550006", dial.Attributes["callerId"]);
        Assert.Equal("completed", dial.Outcome);
        Assert.Equal(["hours open", "welcome", "menu", "menu 1 sales", "sales", "sales completed"], Path(call));
        Assert.Equal("inbound", call.GetProperty("direction").GetString());
        Assert.Equal("ivr", call.GetProperty("flow").GetProperty("flowId").GetString());
    }

    [Fact]
    public async Task A_caller_pressing_2_waits_in_the_support_queue_until_an_agent_takes_the_call()
    {
        var callSid = Dial(_ivrNumber, Digits("2"));
        var waiting = await WaitForSimulator(callSid, l => l.Verbs.Any(v => v.Verb == "Say" && v.Text == "You are caller number 1."));
        var queued = await _mesh.WaitForQueue("support", q => q.GetProperty("callers").EnumerateArray().Any(c => c.GetProperty("callSid").GetString() == callSid), Patience);

        using var dequeue = await _mesh.Client.PostAsJsonAsync("/api/queues/support/dequeue", new { to = Agent, callerId = "+15005550006" }, TestContext.Current.CancellationToken);
        var log = await Ended(callSid);
        var call = await Completed(callSid, 7);

        Assert.Equal(["Say", "Gather", "Say", "Enqueue"], Verbs(waiting).Take(4));
        Assert.Equal("support", waiting.Verbs[3].Text);
        Assert.Equal(1, queued.GetProperty("callers").EnumerateArray().Single(c => c.GetProperty("callSid").GetString() == callSid).GetProperty("position").GetInt32());
        Assert.Equal(HttpStatusCode.Accepted, dequeue.StatusCode);
        Assert.Equal("redirected", log.Verbs.First(v => v.Verb == "Enqueue").Outcome);
        var bridge = log.Verbs.Last(v => v.Verb == "Dial");
        Assert.Equal(Agent, bridge.Text);
        Assert.Equal("+15005550006", bridge.Attributes["callerId"]);
        Assert.Equal(["hours open", "welcome", "menu", "menu 2 support", "support", "support waiting", "support redirected"], Path(call).Take(7));
        Assert.Equal("redirected", call.GetProperty("queue").GetProperty("result").GetString());
    }

    [Fact]
    public async Task Nothing_pressed_gets_the_retry_prompt_then_voicemail_and_the_message_is_recorded()
    {
        var callSid = Dial(_ivrNumber, Silence, Silence);

        var log = await Ended(callSid);
        var call = await Completed(callSid, 9);

        Assert.Equal(["Say", "Gather", "Say", "Redirect", "Say", "Gather", "Say", "Redirect", "Say", "Record", "Say", "Hangup"], Verbs(log));
        Assert.Equal("no-input", log.Verbs[1].Outcome);
        Assert.Equal("Sorry, that is not an option.", log.Verbs[4].Text);
        Assert.Equal("Please leave a message.", log.Verbs[8].Text);
        Assert.StartsWith("recorded", log.Verbs[9].Outcome, StringComparison.Ordinal);
        Assert.Equal("Goodbye.", log.Verbs[10].Text);
        Assert.Equal(
            ["hours open", "welcome", "menu", "menu no-input", "menu retry", "menu no-input", "voicemail", "voicemail recorded", "bye"],
            Path(call));
    }

    [Fact]
    public async Task Invalid_keys_get_the_retry_prompt_then_voicemail()
    {
        var callSid = Dial(_ivrNumber, Digits("9"), Digits("7"));

        var log = await Ended(callSid);
        var call = await Completed(callSid, 9);

        Assert.Equal(["digits 9", "digits 7"], log.Verbs.Where(v => v.Verb == "Gather").Select(v => v.Outcome));
        Assert.Contains(log.Verbs, v => v.Verb == "Record");
        Assert.Equal(
            ["hours open", "welcome", "menu", "menu 9 invalid", "menu retry", "menu 7 invalid", "voicemail", "voicemail recorded", "bye"],
            Path(call));
    }

    [Fact]
    public async Task An_out_of_hours_call_goes_straight_to_voicemail()
    {
        var callSid = Dial(_closedNumber, Digits("1"));

        var log = await Ended(callSid);
        var call = await Completed(callSid, 4);

        Assert.Equal(["Say", "Record", "Say", "Hangup"], Verbs(log));
        Assert.DoesNotContain(log.Verbs, v => v.Verb == "Gather");
        Assert.Equal(["hours closed", "voicemail", "voicemail recorded", "bye"], Path(call));
    }

    [Fact]
    public async Task A_number_with_no_flow_gets_the_default_flow_and_its_status_callbacks_complete_the_call()
    {
        var callSid = Dial(_unassignedNumber, Digits("2"));

        var log = await Ended(callSid);
        var call = await Completed(callSid, 6);

        var voice = _mesh.Simulator.Control.Webhooks.First(w => w.CallSid == callSid && w.Kind == "voice");
        Assert.Equal(200, voice.ResponseStatus);
        Assert.Null(log.ErrorCode);
        Assert.Equal(["Say", "Gather", "Say", "Say", "Record", "Say", "Hangup"], Verbs(log));
        Assert.Equal("Thank you for calling.", log.Verbs[0].Text);
        Assert.Equal("default", call.GetProperty("flow").GetProperty("flowId").GetString());
        Assert.Equal(["welcome", "menu", "menu 2 voicemail", "voicemail", "voicemail recorded", "goodbye"], Path(call));
        var completed = Assert.Single(call.GetProperty("history").EnumerateArray());
        Assert.Equal("status-callback", completed.GetProperty("source").GetString());
        Assert.True(call.GetProperty("durationSeconds").GetInt32() >= 0);
    }

    [Fact]
    public async Task A_flow_using_every_kind_of_step_runs_at_the_simulator_without_a_twiml_error()
    {
        const string everything = """
            { "start": "hours", "steps": {
              "hours": { "type": "hours", "timeZone": "Etc/UTC", "open": "welcome", "closed": "welcome" },
              "welcome": { "type": "say", "text": "Hello.", "voice": "Polly.Joanna", "language": "en-US", "next": "music" },
              "music": { "type": "play", "url": "https://example.com/hold.mp3", "loop": 2, "next": "breath" },
              "breath": { "type": "pause", "seconds": 2, "next": "menu" },
              "menu": { "type": "menu", "prompt": "Say room or press 1.", "input": ["dtmf", "speech"], "numDigits": 1, "timeoutSeconds": 3,
                        "options": [{ "digits": "1", "speech": ["room"], "next": "room" }], "noInput": "bye" },
              "room": { "type": "conference", "room": "standup", "muted": true, "startOnEnter": false, "endOnExit": true, "maxParticipants": 10, "next": "sip" },
              "sip": { "type": "forward", "to": "sip:agent@example.com", "timeoutSeconds": 10, "noAnswer": "bye", "next": "client" },
              "client": { "type": "forward", "to": "client:alice", "noAnswer": "bye", "next": "voicemail" },
              "voicemail": { "type": "voicemail", "maxLengthSeconds": 10, "finishOnKey": "*", "next": "bye" },
              "bye": { "type": "hangup" } } }
            """;
        var number = await fixture.Buy(null);
        await _mesh.SaveFlow("everything", everything, TestContext.Current.CancellationToken);
        await _mesh.AssignFlow("everything", number, TestContext.Current.CancellationToken);

        var callSid = Dial(number, new CallerInput { Speech = "the room please", Confidence = 0.8 });
        await EndRoomOnceJoined("standup", callSid);
        var log = await Ended(callSid);
        var call = await Completed(callSid, 13);

        Assert.Null(log.ErrorCode);
        Assert.Equal(["Say", "Play", "Pause", "Gather", "Say", "Dial", "Dial", "Dial", "Record", "Hangup"], Verbs(log));
        Assert.Equal("speech the room please", log.Verbs[3].Outcome);
        Assert.Equal(["standup", "sip:agent@example.com", "alice"], log.Verbs.Where(v => v.Verb == "Dial").Select(v => v.Text));
        Assert.Equal(
            ["hours closed", "welcome", "music", "breath", "menu", "menu the room please room", "room", "room completed", "sip", "sip completed",
             "client", "client completed", "voicemail", "voicemail recorded", "bye"],
            Path(call));
    }

    /// <summary>The mesh with three numbers bought at the simulator: one for the IVR, one out of hours, one with no flow.</summary>
    public sealed class Numbers(TestInfrastructure infrastructure) : MeshFixture(infrastructure)
    {
        public string Ivr { get; private set; } = "";

        public string Closed { get; private set; } = "";

        public string Unassigned { get; private set; } = "";

        protected override async Task Prepare()
        {
            Ivr = await Buy("+15005550006");
            Closed = await Buy(null);
            Unassigned = await Buy(null);
            await Mesh.SaveFlow("ivr", InboundFlowSpecs.Ivr("support", 600, AlwaysOpen));
            await Mesh.AssignFlow("ivr", Ivr);
            await Mesh.SaveFlow("closed", InboundFlowSpecs.Ivr("support", 600, HolidayToday()));
            await Mesh.AssignFlow("closed", Closed);
        }

        /// <summary>Buys a number whose Voice URL and status callback are the gateway's, as a user configures it.</summary>
        public async Task<string> Buy(string? phoneNumber)
        {
            var bought = await IncomingPhoneNumberResource.CreateAsync(
                phoneNumber: phoneNumber is null ? null : new Twilio.Types.PhoneNumber(phoneNumber),
                areaCode: phoneNumber is null ? "415" : null,
                voiceUrl: new Uri(Mesh.PublicBaseUrl + "/twilio/voice"),
                statusCallback: new Uri(Mesh.PublicBaseUrl + "/twilio/voice/status"),
                client: Mesh.Simulator.CreateTwilioClient());
            return bought.PhoneNumber.ToString();
        }
    }
}
