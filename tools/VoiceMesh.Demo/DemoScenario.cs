using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace VoiceMesh.Demo;

/// <summary>
/// The live demo, against a mesh that is up with the Twilio simulator: a caller-id pool provisioned through NumberPool;
/// outbound calls from it whose outcomes the simulator scripts (a human, a machine found by AMD, busy, no answer, an
/// invalid number); a recorded conference with two dialled participants, one muted and one held, whose recording is
/// archived by Recordings; an inbound call whose media stream carries speech bursts and DTMF. Everything goes through the
/// gateway's API, as any client would; the simulator is told only what its callers do. Names carry the run's time, so
/// running it again on the same mesh starts afresh.
/// </summary>
internal sealed class DemoScenario(DemoOptions options, TextWriter progress)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private static readonly int[] NewYork = [212];

    /// <summary>The outbound calls: label, destination, what the simulator makes of it, and its PlaceCall extras.</summary>
    private static readonly OutboundCall[] Outbound =
    [
        new("human", "+14155550101", "human", MachineDetection: null),
        new("machine", "+14155550102", "machine", MachineDetection: "Enable"),
        new("busy", "+14155550103", "busy", MachineDetection: null),
        new("no answer", "+14155550104", "no-answer", MachineDetection: null),
        new("invalid number", "+15005550001", null, MachineDetection: null),
    ];

    /// <summary>What the inbound call's caller sends on the media stream: speech bursts, pauses and DTMF.</summary>
    private static readonly object[] Caller =
    [
        new { kind = "silence", milliseconds = 400 },
        new { kind = "speech", milliseconds = 800 },
        new { kind = "silence", milliseconds = 600 },
        new { kind = "dtmf", digit = "4" },
        new { kind = "dtmf", digit = "2" },
        new { kind = "silence", milliseconds = 400 },
        new { kind = "speech", milliseconds = 600 },
        new { kind = "silence", milliseconds = 600 },
    ];

    /// <summary>How long the conference runs muted and on hold before it is ended (real time).</summary>
    private static readonly TimeSpan ConferenceTalk = TimeSpan.FromSeconds(3);

    /// <summary>The digits in <see cref="Caller"/>, in order.</summary>
    public const string CallerDigits = "42";

    private readonly string _run = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);

    public async Task<DemoSummary> Run(CancellationToken cancellationToken)
    {
        using var api = new HttpClient { BaseAddress = options.Gateway, Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);
        using var simulator = new HttpClient { BaseAddress = options.Simulator, Timeout = TimeSpan.FromSeconds(30) };
        var mesh = new MeshClient(api, simulator, options.PublicBaseUrl, Patience, cancellationToken);

        Step("provisioning a caller-id pool of three New York numbers (NumberPool)");
        var pool = await Pool(mesh);
        Step("placing five outbound calls from the pool with scripted outcomes (Calls, AMD)");
        var calls = await Task.WhenAll(Outbound.Select(call => Place(mesh, pool, call)));
        Step("an inbound call answered by an IVR menu: the caller presses 1, waits in a queue and is connected to an agent (Calls)");
        var ivr = await InboundThroughIvr(mesh, pool.Numbers[1]);
        Step("opening a recorded conference and dialling two participants, then muting one and holding the other (Conferences, Recordings)");
        var conference = await Conference(mesh, cancellationToken);
        Step("an inbound call with a media stream: speech bursts and DTMF (MediaStreams)");
        var stream = await Stream(mesh, pool.Numbers[0]);
        return new DemoSummary(pool, calls, ivr, conference, stream, options);
    }

    private void Step(string what) => progress.WriteLine($"demo: {what}");

    private async Task<PoolSummary> Pool(MeshClient mesh)
    {
        var name = $"demo-{_run}";
        await mesh.Expect(HttpStatusCode.OK, HttpMethod.Put, $"/api/numbers/pools/{name}", new { maxConcurrentCalls = 5, definedBy = "demo" });
        await mesh.Expect(HttpStatusCode.Accepted, HttpMethod.Post, "/api/numbers/provisioning",
            new { pool = name, country = "US", areaCodes = NewYork, count = 3, requestedBy = "demo" });
        var numbers = await mesh.Poll($"/api/numbers?pool={name}", n => n.EnumerateArray().Count(x => x.GetProperty("state").GetString() == "active") == 3);
        return new PoolSummary(name, [.. numbers.EnumerateArray().Select(n => n.GetProperty("phoneNumber").GetString()!).Order(StringComparer.Ordinal)]);
    }

    private static async Task<CallSummary> Place(MeshClient mesh, PoolSummary pool, OutboundCall call)
    {
        if (call.Outcome is { } outcome)
        {
            await mesh.Simulate("/_sim/outcomes", new { match = call.To, outcome, ringSeconds = 2, talkSeconds = 4 });
        }

        // A trace of its own: the PlaceCall, its Twilio create and every callback of the call are one trace in Jaeger.
        var trace = ActivityTraceId.CreateRandom().ToHexString();
        var placed = await mesh.Send(HttpMethod.Post, "/api/calls", new
        {
            to = call.To,
            callerIdPool = pool.Name,
            twiml = "<Response><Say>Hello from VoiceMesh.</Say><Pause length=\"2\"/></Response>",
            machineDetection = call.MachineDetection,
            timeoutSeconds = 8,
        }, traceparent: $"00-{trace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var requestId = placed.GetProperty("requestId").GetString()!;
        var placement = await mesh.Poll($"/api/calls/requests/{requestId}", p => p.GetProperty("status").GetString() is "placed" or "failed" or "rejected");
        if (placement.GetProperty("status").GetString() != "placed")
        {
            var code = placement.GetProperty("errorCode");
            return new CallSummary(call.Label, call.To, null, $"placement {placement.GetProperty("status").GetString()}", [],
                code.ValueKind == JsonValueKind.Number ? code.GetInt32() : null, null, null, trace);
        }

        var callSid = placement.GetProperty("callSid").GetString()!;
        // Callbacks can arrive in any order: the call is done once it is final and its first status is in too.
        var final = await mesh.Poll($"/api/calls/{callSid}", c => c.GetProperty("status").GetString() is "completed" or "busy" or "no-answer" or "failed" or "canceled"
            && c.GetProperty("history").EnumerateArray().Any(h => h.GetProperty("status").GetString() == "initiated")
            && (call.MachineDetection is null || c.GetProperty("answeredBy").ValueKind != JsonValueKind.Null));
        var history = final.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()!).ToList();
        return new CallSummary(call.Label, call.To, callSid, final.GetProperty("status").GetString()!, history, null,
            Text(final, "answeredBy"), Text(placement, "from"), trace);
    }

    private static readonly string[] DtmfOnly = ["dtmf"];

    /// <summary>The agent the queued caller is connected to.</summary>
    public const string Agent = "+14155550188";

    /// <summary>
    /// A pool number answered by a flow: a menu (1 for support), then a queue. The simulator's caller presses 1 and
    /// waits; once Calls sees the caller in the queue, the demo (as the agents' desk would) dequeues the longest waiting
    /// caller to <see cref="Agent"/>, then hangs the call up.
    /// </summary>
    private async Task<IvrSummary> InboundThroughIvr(MeshClient mesh, string number)
    {
        var flowId = $"demo-ivr-{_run}";
        var queue = $"demo-support-{_run}";
        await mesh.Send(HttpMethod.Put, $"/api/flows/{flowId}", new
        {
            start = "menu",
            steps = new Dictionary<string, object>
            {
                ["menu"] = new
                {
                    type = "menu", prompt = "Welcome to VoiceMesh. For support press 1.", input = DtmfOnly, numDigits = 1,
                    options = new[] { new { digits = "1", next = "support" } }, noInput = "bye",
                },
                ["support"] = new { type = "queue", queue, maxWaitSeconds = 3600, overflow = "bye" },
                ["bye"] = new { type = "hangup", say = "Goodbye." },
            },
        });
        await mesh.Expect(HttpStatusCode.NoContent, HttpMethod.Put, $"/api/flows/{flowId}/numbers/{Uri.EscapeDataString(number)}", new { });
        var started = await mesh.Simulate("/_sim/calls/inbound", new { from = "+14155550400", to = number, callerInput = new[] { new { digits = "1" } } });
        var callSid = started.GetProperty("callSid").GetString()!;

        var waiting = await mesh.Poll($"/api/queues/{queue}", q => q.GetProperty("callers").EnumerateArray().Any(c => c.GetProperty("callSid").GetString() == callSid));
        var position = waiting.GetProperty("callers").EnumerateArray().Single(c => c.GetProperty("callSid").GetString() == callSid).GetProperty("position").GetInt32();
        await mesh.Send(HttpMethod.Post, $"/api/queues/{queue}/dequeue", new { to = Agent });
        var bridged = await mesh.Poll($"/api/calls/{callSid}", c => c.GetProperty("queue") is { ValueKind: JsonValueKind.Object } q
            && q.GetProperty("result").ValueKind == JsonValueKind.String);
        await mesh.Send(HttpMethod.Post, $"/api/calls/{callSid}/hangup", new { });
        var ended = await mesh.Poll($"/api/calls/{callSid}", c => c.GetProperty("status").GetString() == "completed");
        var path = ended.GetProperty("flow").GetProperty("path").EnumerateArray()
            .Select(p => Text(p, "input") is { } input ? $"{p.GetProperty("step").GetString()} (pressed {input})" : $"{p.GetProperty("step").GetString()}{(Text(p, "result") is { } result ? $" ({result})" : "")}")
            .ToList();
        return new IvrSummary(number, flowId, callSid, path, queue, position, bridged.GetProperty("queue").GetProperty("result").GetString()!);
    }

    private async Task<ConferenceSummary> Conference(MeshClient mesh, CancellationToken cancellationToken)
    {
        var room = $"demo-room-{_run}";
        await mesh.Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/conferences", new { friendlyName = room, record = true });
        foreach (var (to, label) in new[] { ("+14155550201", "agent"), ("+14155550202", "customer") })
        {
            // They would talk for an hour: the room ends when the demo ends it, never first (a test mesh runs the
            // simulator's clock 100 times faster, which still leaves 36 s).
            await mesh.Simulate("/_sim/outcomes", new { match = to, outcome = "human", ringSeconds = 1, talkSeconds = 3600 });
            await mesh.Expect(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/conferences/{room}/participants", new { to, from = "+15005550006", label });
        }

        var found = await mesh.Poll($"/api/conferences?name={room}", list => list.GetArrayLength() > 0);
        var sid = found[0].GetProperty("conferenceSid").GetString()!;
        var joined = await mesh.Poll($"/api/conferences/{sid}", c => Participants(c).Count(p => p.GetProperty("status").GetString() == "joined") == 2);
        var agent = CallOf(joined, "agent");
        var customer = CallOf(joined, "customer");
        await mesh.Expect(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/conferences/{sid}/participants/{agent}/mute", new { });
        await mesh.Expect(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/conferences/{sid}/participants/{customer}/hold", new { });
        await mesh.Poll($"/api/conferences/{sid}", c => Participants(c).Any(p => p.GetProperty("muted").GetBoolean()) && Participants(c).Any(p => p.GetProperty("hold").GetBoolean()));
        // The room talks for a while, so its recording has audio (Twilio reports an empty one absent).
        await Task.Delay(ConferenceTalk, cancellationToken);
        await mesh.Expect(HttpStatusCode.Accepted, HttpMethod.Post, $"/api/conferences/{sid}/end", new { });
        var ended = await mesh.Poll($"/api/conferences/{sid}", c => c.GetProperty("status").GetString() == "completed"
            && c.GetProperty("recordings").EnumerateArray().Any(r => r.GetProperty("status").GetString() is "completed" or "absent" or "failed"));
        var reported = ended.GetProperty("recordings")[0];
        var recordingSid = reported.GetProperty("recordingSid").GetString()!;
        if (reported.GetProperty("status").GetString() != "completed")
        {
            throw new DemoException($"Twilio reported the conference's recording {recordingSid} {reported.GetProperty("status").GetString()}: nothing to archive");
        }

        var recording = await mesh.Poll($"/api/recordings/{recordingSid}", r => r.GetProperty("status").GetString() switch
        {
            "archived" => r.GetProperty("deletedAtTwilio").GetBoolean(),
            "failed" => true,
            _ => false,
        });
        if (recording.GetProperty("status").GetString() != "archived")
        {
            throw new DemoException($"recording {recordingSid} was not archived: {recording.GetProperty("failureReason")}");
        }

        var timeline = ended.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("event").GetString()!).ToList();
        return new ConferenceSummary(room, sid, timeline, new RecordingSummary(
            recordingSid, recording.GetProperty("blobUri").GetString()!, recording.GetProperty("sizeBytes").GetInt64(), recording.GetProperty("sha256").GetString()!));
    }

    private static async Task<StreamSummary> Stream(MeshClient mesh, string number)
    {
        // The URL Twilio opens and signs: the gateway's, wss:// (ws:// for an http public URL).
        var streamUrl = new UriBuilder(mesh.PublicBaseUrl) { Scheme = mesh.PublicBaseUrl.Scheme == "https" ? "wss" : "ws", Path = "/twilio/media" }.Uri;
        var started = await mesh.Simulate("/_sim/calls/inbound", new
        {
            from = "+14155550300",
            to = number,
            twiml = $"""<Response><Start><Stream url="{streamUrl}" statusCallback="{new Uri(mesh.PublicBaseUrl, "/twilio/stream/status")}"/></Start><Pause length="3600"/></Response>""",
            streamAudio = Caller,
        });
        var callSid = started.GetProperty("callSid").GetString()!;
        var call = await mesh.Poll($"/api/calls/{callSid}", c => c.GetProperty("streams").EnumerateArray().Any(s => s.GetProperty("startedAt").ValueKind != JsonValueKind.Null));
        var streamSid = call.GetProperty("streams")[0].GetProperty("streamSid").GetString()!;
        // The caller has said everything once both bursts and the digits are in; then the call is hung up through the API.
        await mesh.Poll($"/api/media-streams/{streamSid}", s => s.GetProperty("digits").GetArrayLength() >= CallerDigits.Length
            && s.GetProperty("speech").EnumerateArray().Count(b => b.GetProperty("stopMs").ValueKind == JsonValueKind.Number) >= 2);
        await mesh.Send(HttpMethod.Post, $"/api/calls/{callSid}/hangup", new { });
        await mesh.Poll($"/api/calls/{callSid}", c => c.GetProperty("status").GetString() == "completed");
        var read = await mesh.Poll($"/api/media-streams/{streamSid}", s => s.GetProperty("status").GetString() == "closed");
        var speech = read.GetProperty("speech").EnumerateArray().Select(s => (s.GetProperty("startMs").GetInt64(), s.GetProperty("stopMs").GetInt64())).ToList();
        var digits = string.Concat(read.GetProperty("digits").EnumerateArray().Select(d => d.GetProperty("digit").GetString()));
        return new StreamSummary(streamSid, callSid, speech, digits);
    }

    private static JsonElement.ArrayEnumerator Participants(JsonElement conference) => conference.GetProperty("participants").EnumerateArray();

    private static string CallOf(JsonElement conference, string label) =>
        Participants(conference).Single(p => p.GetProperty("label").GetString() == label).GetProperty("callSid").GetString()!;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record OutboundCall(string Label, string To, string? Outcome, string? MachineDetection);
}
