using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Queue;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Call queues end to end, on the simulator's real-time clock (a wait document's pause lasts its seconds, as at
/// Twilio): what each waiting caller hears, the order DequeueCall serves them in, and the overflow after the longest wait.
/// </summary>
public sealed class QueueFlowSpecs(QueueFlowSpecs.RealTimeMesh fixture, TestInfrastructure infrastructure) : IClassFixture<QueueFlowSpecs.RealTimeMesh>
{
    private const string Agent = "+14155550188";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly Mesh _mesh = fixture.Mesh;

    private static string QueueFlow(string queue, int maxWaitSeconds) => $$"""
        { "start": "support", "steps": {
          "support": { "type": "queue", "queue": "{{queue}}", "maxWaitSeconds": {{maxWaitSeconds}}, "overflow": "voicemail" },
          "voicemail": { "type": "voicemail", "prompt": "Nobody is free. Please leave a message.", "maxLengthSeconds": 30, "next": "bye" },
          "bye": { "type": "hangup", "say": "Goodbye." } } }
        """;

    private async Task<string> NumberFor(string flowId, string json)
    {
        var ct = TestContext.Current.CancellationToken;
        var bought = await IncomingPhoneNumberResource.CreateAsync(
            areaCode: "212",
            voiceUrl: new Uri(Mesh.PublicBaseUrl + "/twilio/voice"),
            statusCallback: new Uri(Mesh.PublicBaseUrl + "/twilio/voice/status"),
            client: _mesh.Simulator.CreateTwilioClient());
        await _mesh.SaveFlow(flowId, json, ct);
        await _mesh.AssignFlow(flowId, bought.PhoneNumber.ToString(), ct);
        return bought.PhoneNumber.ToString();
    }

    private string Dial(string to) =>
        _mesh.Simulator.Control.StartInboundCall(new InboundCallRequest { From = "+14155550100", To = to, RecordSeconds = 2 });

    private static async Task Until(Func<bool> done, string what)
    {
        var started = DateTime.UtcNow;
        while (!done())
        {
            if (DateTime.UtcNow - started > Patience)
            {
                throw new TimeoutException($"Timed out waiting until {what}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private IReadOnlyList<TwimlVerbEntry> Verbs(string callSid) => _mesh.Simulator.Control.TwimlLog(callSid)?.Verbs ?? [];

    private static int? Announced(IReadOnlyList<TwimlVerbEntry> verbs) =>
        verbs.FirstOrDefault(v => v.Verb == "Say" && v.Text?.StartsWith("You are caller number ", StringComparison.Ordinal) == true) is { } say
            ? int.Parse(say.Text!["You are caller number ".Length..].TrimEnd('.'), System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private bool Bridged(string callSid) => Verbs(callSid).Any(v => v.Verb == "Dial" && v.Text == Agent);

    [Fact]
    public async Task Fifty_callers_queued_at_once_hear_their_positions_and_dequeuing_in_a_loop_serves_them_in_arrival_order()
    {
        var ct = TestContext.Current.CancellationToken;
        var number = await NumberFor("fifty", QueueFlow("fifty", 3600));

        var callers = Enumerable.Range(0, 50).Select(_ => Dial(number)).ToList();
        await Until(() => callers.All(c => Announced(Verbs(c)) is not null), "all 50 callers heard their position");

        var twilio = _mesh.Simulator.CreateTwilioClient();
        var queue = (await QueueResource.ReadAsync(client: twilio)).Single(q => q.FriendlyName == "fifty");
        var members = (await MemberResource.ReadAsync(queue.Sid, client: twilio)).OrderBy(m => m.Position).ToList();
        Assert.Equal(50, members.Count);
        Assert.Equal(callers.Order(StringComparer.Ordinal), members.Select(m => m.CallSid).Order(StringComparer.Ordinal));
        foreach (var member in members)
        {
            Assert.Equal(member.Position, Announced(Verbs(member.CallSid)));
        }

        var model = await _mesh.WaitForQueue("fifty", q => q.GetProperty("size").GetInt32() == 50, Patience);
        Assert.Equal(
            members.ToDictionary(m => m.CallSid, m => m.Position),
            model.GetProperty("callers").EnumerateArray().ToDictionary(c => c.GetProperty("callSid").GetString()!, c => (int?)c.GetProperty("reportedPosition").GetInt32()));

        var arrival = members.Select(m => m.CallSid).ToList();
        for (var i = 0; i < arrival.Count; i++)
        {
            using var response = await _mesh.Client.PostAsJsonAsync("/api/queues/fifty/dequeue", new { to = Agent, requestId = $"agent-loop-{i}" }, ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await Until(() => Bridged(arrival[i]), $"caller {i + 1} ({arrival[i]}) was bridged to the agent");
            Assert.All(arrival.Skip(i + 1), waiting => Assert.False(Bridged(waiting), $"{waiting} was bridged before its turn"));
        }

        await _mesh.WaitForQueue("fifty", q => q.GetProperty("size").GetInt32() == 0, Patience);
        var first = await _mesh.WaitForCall(arrival[0], c => c.GetProperty("queue").GetProperty("result").ValueKind == JsonValueKind.String, Patience);
        Assert.Equal("redirected", first.GetProperty("queue").GetProperty("result").GetString());
    }

    [Fact]
    public async Task A_dequeue_with_nobody_waiting_is_rejected_and_a_malformed_one_is_a_400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
        var rejections = await QueueProbe.Bind(
            management, new Uri(_mesh.RabbitMqUri).AbsolutePath.Trim('/'), "VoiceMesh.Contracts.Calls:DequeueCallRejected", "dequeue-rejected-probe",
            declareExchange: true);

        using var invalid = await _mesh.Client.PostAsJsonAsync("/api/queues/empty/dequeue", new { to = "not-a-number" }, ct);
        using var nobody = await _mesh.Client.PostAsJsonAsync("/api/queues/nobody-here/dequeue", new { to = Agent, requestId = "agent-nobody" }, ct);
        var empty = await _mesh.Client.GetFromJsonAsync<JsonElement>("/api/queues/nobody-here", ct);

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("errors").TryGetProperty("To", out _));
        Assert.Equal(HttpStatusCode.Accepted, nobody.StatusCode);
        Assert.Equal(0, empty.GetProperty("size").GetInt32());
        var deadline = DateTime.UtcNow + Patience;
        var rejected = await rejections.Get(10, remove: false, ct);
        while (rejected.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
            rejected = await rejections.Get(10, remove: false, ct);
        }

        var message = JsonSerializer.Deserialize<JsonElement>(Assert.Single(rejected).GetProperty("payload").GetString()!).GetProperty("message");
        Assert.Equal("agent-nobody", message.GetProperty("requestId").GetString());
        Assert.Equal("nobody-here", message.GetProperty("queue").GetString());
        Assert.Equal("Queue", message.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Callers_past_the_longest_wait_leave_the_queue_for_the_overflow_step()
    {
        var number = await NumberFor("short-wait", QueueFlow("short", 2));

        var callers = Enumerable.Range(0, 3).Select(_ => Dial(number)).ToList();
        await Until(() => callers.All(c => _mesh.Simulator.Control.TwimlLog(c)?.Status == "completed"), "the callers were sent to voicemail and hung up");

        foreach (var caller in callers)
        {
            var verbs = Verbs(caller);
            Assert.Equal("leave", verbs[0].Outcome);
            Assert.Contains(verbs, v => v.Verb == "Leave");
            Assert.Contains(verbs, v => v.Verb == "Record" && v.Outcome?.StartsWith("recorded", StringComparison.Ordinal) == true);
            var call = await _mesh.WaitForCall(caller, c => c.GetProperty("status").GetString() == "completed", Patience);
            var path = call.GetProperty("flow").GetProperty("path").EnumerateArray()
                .Select(p => $"{p.GetProperty("step").GetString()} {p.GetProperty("result").GetString()}".Trim()).ToList();
            Assert.Equal(["support", "support waiting", "support leave", "voicemail", "voicemail recorded", "bye"], path);
            Assert.Equal("leave", call.GetProperty("queue").GetProperty("result").GetString());
        }
    }

    /// <summary>The mesh with the simulator on real time.</summary>
    public sealed class RealTimeMesh(TestInfrastructure infrastructure) : MeshFixture(infrastructure)
    {
        protected override double TimeScale => 1;
    }
}
