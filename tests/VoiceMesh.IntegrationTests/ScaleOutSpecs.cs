using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Two instances of every service against one broker and one database share the work and end where one instance
/// ends. The same workload (outbound calls with caller ids from a NumberPool pool, recorded, busy and unanswered; an
/// inbound call with a media stream; a conference with a muted participant) runs on a mesh with one instance of each
/// service, then on a mesh with two: each instance of the second consumed messages (its consumer spans, told apart by
/// <c>service.instance.id</c>), and the two outcomes, with what Twilio makes random (sids, the pool number a call got)
/// taken out, are equal.
/// </summary>
public sealed class ScaleOutSpecs(TestInfrastructure infrastructure)
{
    private const string StreamUrl = "wss://voice.example.test/twilio/media";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly int[] NewYork = [212];
    private static readonly ServiceManifest Manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));

    /// <summary>Outbound calls by destination: what the simulator makes of each, and whether it is recorded.</summary>
    private static readonly (string To, CallOutcomeKind Outcome, bool Record)[] Outbound =
    [
        ("+12125550301", CallOutcomeKind.Human, true),
        ("+12125550302", CallOutcomeKind.Human, true),
        ("+12125550303", CallOutcomeKind.Human, false),
        ("+12125550304", CallOutcomeKind.Busy, false),
        ("+12125550305", CallOutcomeKind.NoAnswer, false),
        ("+12125550306", CallOutcomeKind.Busy, false),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_instances_of_every_service_share_the_work_and_end_where_one_instance_ends()
    {
        var single = await RunWorkload(instances: 1, receiver: null);
        await using var receiver = await OtlpReceiver.StartAsync();

        var doubled = await RunWorkload(instances: 2, receiver);

        Assert.Equal(single, doubled);
        Assert.All(doubled.Calls, c => Assert.Equal(1, c.CreatesAtTwilio));
        Assert.All(Manifest.Services, service => Assert.True(
            ConsumingInstances(receiver.Spans, service.Assembly) == 2,
            $"{service.Name}: {ConsumingInstances(receiver.Spans, service.Assembly)} of 2 instances consumed messages"));
    }

    private static int ConsumingInstances(IEnumerable<OtlpSpan> spans, string service) =>
        spans.Where(s => s.Service == service && s.Kind == OtlpSpanKind.Consumer).Select(s => s.ServiceInstance).Distinct(StringComparer.Ordinal).Count();

    /// <summary>Starts a mesh with <paramref name="instances"/> of every service, runs the workload on it, and returns its outcome.</summary>
    private async Task<Outcome> RunWorkload(int instances, OtlpReceiver? receiver)
    {
        await using var mesh = await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString, callsInstances: instances,
            everyProcess: receiver?.ExporterEnvironment);
        foreach (var service in Manifest.Services.Where(s => s.Name != "calls"))
        {
            for (var i = 1; i < instances; i++)
            {
                await mesh.StartAnotherInstance(service.Name);
            }
        }

        var pool = await PoolOfNumbers(mesh);
        var conference = ConferenceOutcome(mesh);
        var calls = await Task.WhenAll(Outbound.Select(call => OutboundOutcome(mesh, pool, call.To, call.Outcome, call.Record)));
        var stream = await StreamOutcome(mesh);
        var room = await conference;
        if (receiver is not null)
        {
            // The last spans leave within the exporters' 200 ms batch; the mesh stops only once every instance's are in.
            await receiver.WaitFor(
                spans => Manifest.Services.All(s => ConsumingInstances(spans, s.Assembly) == instances), TimeSpan.FromSeconds(30), Ct);
        }

        var numbers = await mesh.Client.GetFromJsonAsync<JsonElement>($"/api/numbers?pool={pool.Name}", Ct);
        var leases = numbers.EnumerateArray().Sum(n => n.GetProperty("usage").GetProperty("activeLeases").GetInt32());
        return new Outcome([.. calls], stream, room, numbers.GetArrayLength(), leases);
    }

    private sealed record Pool(string Name, IReadOnlySet<string> Numbers);

    /// <summary>A pool of three New York numbers, provisioned through NumberPool's API.</summary>
    private static async Task<Pool> PoolOfNumbers(Mesh mesh)
    {
        const string name = "scale-out";
        await Expect(HttpStatusCode.OK, mesh.Client.PutAsJsonAsync($"/api/numbers/pools/{name}", new { maxConcurrentCalls = 4, definedBy = "spec" }, Ct));
        await Expect(HttpStatusCode.Accepted, mesh.Client.PostAsJsonAsync(
            "/api/numbers/provisioning", new { pool = name, country = "US", areaCodes = NewYork, count = 3, requestedBy = "spec" }, Ct));
        var numbers = await Poll(
            () => mesh.Client.GetFromJsonAsync<JsonElement>($"/api/numbers?pool={name}", Ct),
            n => n.EnumerateArray().Count(x => x.GetProperty("state").GetString() == "active") == 3);
        return new Pool(name, numbers.EnumerateArray().Select(n => n.GetProperty("phoneNumber").GetString()!).ToHashSet(StringComparer.Ordinal));
    }

    private static async Task<CallOutcome> OutboundOutcome(Mesh mesh, Pool pool, string to, CallOutcomeKind outcome, bool record)
    {
        // 200 simulated seconds of talk at the mesh's time scale (0.01) are 2 s of real time.
        mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = outcome, RingSeconds = 1, TalkSeconds = 200 });
        var requestId = await mesh.Place(new { to, callerIdPool = pool.Name, twiml = "<Response><Pause length=\"200\"/></Response>", record });
        var placement = await mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "placed", Patience);
        var callSid = placement.GetProperty("callSid").GetString()!;
        // Every status the simulator delivered is in the history: with two Calls instances a callback that lost a race
        // for the call's stream is applied on its retry, after the terminal one.
        await mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() is "completed" or "busy" or "no-answer" or "failed"
            && c.GetProperty("history").GetArrayLength() >= DeliveredStatuses(mesh, callSid)
            && (!record || c.GetProperty("recordings").EnumerateArray().Any(r => r.GetProperty("status").GetString() == "archived")), Patience);
        var call = await Settled(mesh, $"/api/calls/{callSid}");
        List<string> recordings = [];
        foreach (var linked in call.GetProperty("recordings").EnumerateArray())
        {
            recordings.Add(await RecordingOutcome(mesh, linked.GetProperty("recordingSid").GetString()!));
        }

        var history = call.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()!).ToList();
        return new CallOutcome(
            to, call.GetProperty("status").GetString()!, string.Join(">", history), pool.Numbers.Contains(placement.GetProperty("from").GetString()!),
            mesh.CreatesTo(to), string.Join(";", recordings));
    }

    private static int DeliveredStatuses(Mesh mesh, string callSid) =>
        mesh.Simulator.Control.Webhooks
            .Where(w => w.Kind == "status-callback" && w.CallSid == callSid && w.ResponseStatus is >= 200 and < 300)
            .Select(w => w.Parameters["CallStatus"])
            .Distinct(StringComparer.Ordinal)
            .Count();

    /// <summary>A recording as "status, deleted at Twilio, whether its size and SHA-256 are those of the simulator's media".</summary>
    private static async Task<string> RecordingOutcome(Mesh mesh, string recordingSid)
    {
        var recording = await Poll(
            () => mesh.Client.GetFromJsonAsync<JsonElement>($"/api/recordings/{recordingSid}", Ct),
            r => r.GetProperty("status").GetString() == "archived" && r.GetProperty("deletedAtTwilio").GetBoolean());
        var tone = WavAudio.Tone(recording.GetProperty("durationSeconds").GetInt32());
        var media = new byte[tone.Length];
        tone.Fill(0, media);
        var verified = recording.GetProperty("sizeBytes").GetInt64() == media.Length
            && recording.GetProperty("sha256").GetString() == Convert.ToHexStringLower(SHA256.HashData(media));
        return $"{recording.GetProperty("status").GetString()}, deleted at Twilio, bytes {(verified ? "equal" : "differ from")} the simulator's";
    }

    /// <summary>An inbound call that starts a media stream through the gateway, hung up once the stream is open.</summary>
    private static async Task<string> StreamOutcome(Mesh mesh)
    {
        var number = await IncomingPhoneNumberResource.CreateAsync(
            areaCode: "415",
            voiceUrl: new Uri(Mesh.PublicBaseUrl + "/twilio/voice"),
            statusCallback: new Uri(Mesh.PublicBaseUrl + "/twilio/voice/status"),
            client: mesh.Simulator.CreateTwilioClient());
        var callSid = mesh.Simulator.Control.StartInboundCall(new InboundCallRequest
        {
            From = "+14155550100",
            To = number.PhoneNumber.ToString(),
            Twiml = $"""<Response><Start><Stream url="{StreamUrl}" statusCallback="{Mesh.PublicBaseUrl}/twilio/stream/status"/></Start><Pause length="6000"/></Response>""",
            StreamAudio = [new StreamAudio { Kind = "speech", Milliseconds = 600 }],
        });
        await mesh.WaitForCall(callSid, c => Streams(c).Any(s => s.GetProperty("startedAt").ValueKind != JsonValueKind.Null), Patience);
        await CallResource.UpdateAsync(callSid, status: CallResource.UpdateStatusEnum.Completed, client: mesh.Simulator.CreateTwilioClient());
        var call = await mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed"
            && Streams(c).All(s => s.GetProperty("stopReason").ValueKind != JsonValueKind.Null), Patience);
        var stream = Streams(call).Single();
        var read = await Poll(
            () => mesh.Client.GetFromJsonAsync<JsonElement>($"/api/media-streams/{stream.GetProperty("streamSid").GetString()}", Ct),
            s => s.GetProperty("status").GetString() == "closed");
        return $"{call.GetProperty("status").GetString()}: stream {stream.GetProperty("stopReason").GetString()}, {read.GetProperty("status").GetString()} at MediaStreams";

        static IEnumerable<JsonElement> Streams(JsonElement call) => call.GetProperty("streams").EnumerateArray();
    }

    /// <summary>A room of three, one of them muted, ended through the API: each participant as "label: status, muted".</summary>
    private static async Task<string> ConferenceOutcome(Mesh mesh)
    {
        var api = new ConferenceMeshClient(mesh);
        const string name = "scale-out-room";
        await api.Create(name);
        foreach (var (to, label) in new[] { ("+14155553001", "a"), ("+14155553002", "b"), ("+14155553003", "c") })
        {
            await api.Add(name, to, label: label);
        }

        var sid = await api.SidOf(name, Patience);
        var room = await api.WaitFor(sid, c => ConferenceMeshClient.Joined(c) == 3, Patience);
        var muted = ConferenceMeshClient.CallOf(room, "b");
        await api.Accepted($"/api/conferences/{sid}/participants/{muted}/mute");
        await api.WaitFor(sid, c => ConferenceMeshClient.Participant(c, muted).GetProperty("muted").GetBoolean(), Patience);
        await api.Accepted($"/api/conferences/{sid}/end");
        var ended = await api.Settled(sid, Patience);
        var participants = ConferenceMeshClient.Participants(ended)
            .Select(p => $"{p.GetProperty("label").GetString()}: {p.GetProperty("status").GetString()}, muted {p.GetProperty("muted").GetBoolean()}")
            .Order(StringComparer.Ordinal);
        return $"{ended.GetProperty("status").GetString()} [{string.Join("; ", participants)}]";
    }

    /// <summary>
    /// The read model once it stopped changing (equal over three reads a quarter second apart): a callback still on its
    /// way when the awaited condition first held, consumed by the other instance, is in it.
    /// </summary>
    private static async Task<JsonElement> Settled(Mesh mesh, string path)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = await mesh.Client.GetStringAsync(path, Ct);
        var unchanged = 0;
        while (unchanged < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} kept changing for {Patience}; last seen: {last}");
            await Task.Delay(250, Ct);
            var read = await mesh.Client.GetStringAsync(path, Ct);
            unchanged = read == last ? unchanged + 1 : 0;
            last = read;
        }

        return JsonSerializer.Deserialize<JsonElement>(last);
    }

    private static async Task Expect(HttpStatusCode expected, Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
    }

    private static async Task<JsonElement> Poll(Func<Task<JsonElement>> read, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = default(JsonElement);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await read();
                if (done(last))
                {
                    return last;
                }
            }
            catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
            }

            await Task.Delay(200, Ct);
        }

        throw new TimeoutException($"Not reached within {Patience}; last seen: {last}");
    }

    /// <summary>One outbound call: destination, final status, statuses in order, caller id from the pool, creates at Twilio, recordings.</summary>
    private sealed record CallOutcome(string To, string Status, string History, bool FromThePool, int CreatesAtTwilio, string Recordings);

    /// <summary>Everything the workload ended with; records compare by value, the calls in the order of <see cref="Outbound"/>.</summary>
    private sealed record Outcome(IReadOnlyList<CallOutcome> Calls, string Stream, string Conference, int PoolNumbers, int ActiveLeases)
    {
        public bool Equals(Outcome? other) =>
            other is not null && Calls.SequenceEqual(other.Calls) && (Stream, Conference, PoolNumbers, ActiveLeases) == (other.Stream, other.Conference, other.PoolNumbers, other.ActiveLeases);

        public override int GetHashCode() => HashCode.Combine(Calls.Count, Stream, Conference, PoolNumbers, ActiveLeases);

        public override string ToString() =>
            $"calls [{string.Join(" | ", Calls)}], stream {Stream}, conference {Conference}, pool numbers {PoolNumbers}, active leases {ActiveLeases}";
    }
}
