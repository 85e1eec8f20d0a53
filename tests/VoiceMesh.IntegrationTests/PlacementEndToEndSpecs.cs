using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// PlaceCall through the API, RabbitMQ, Calls and the Twilio SDK to the simulator, whose signed callbacks come
/// back through the gateway into the same call's lifecycle.
/// </summary>
public sealed class PlacementEndToEndSpecs(PlacementEndToEndSpecs.CallsMesh fixture) : IClassFixture<PlacementEndToEndSpecs.CallsMesh>
{
    private readonly Mesh _mesh = fixture.Mesh;

    [Fact]
    public async Task A_placed_call_is_dialled_once_and_its_callbacks_complete_its_lifecycle()
    {
        var requestId = await _mesh.Place(new { to = "+14155550101", twiml = "<Response><Say>Hello</Say></Response>" });

        var placement = await _mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(60));
        var callSid = placement.GetProperty("callSid").GetString()!;
        // Callbacks arrive in any order: wait for all four requested events (initiated, ringing, answered, completed),
        // and for the placement's copy on the call's stream (CallPlaced), which may land after the callbacks.
        var call = await _mesh.WaitForCall(
            callSid,
            c => c.GetProperty("status").GetString() == "completed" && c.GetProperty("history").GetArrayLength() == 4
                && c.GetProperty("requestId").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(60));

        Assert.Equal(requestId, call.GetProperty("requestId").GetString());
        Assert.Equal("outbound-api", call.GetProperty("direction").GetString());
        Assert.Equal(
            ["initiated", "ringing", "in-progress", "completed"],
            call.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.Equal(1, _mesh.CreatesTo("+14155550101"));
        // A callback the gateway could not store in time is answered 503 and retried by Twilio; each must end accepted.
        Assert.All(
            _mesh.Simulator.Control.Webhooks.Where(w => w.Url.Contains(requestId, StringComparison.Ordinal)).GroupBy(w => w.IdempotencyToken),
            attempts => Assert.Equal(204, attempts.MaxBy(w => w.Attempt)!.ResponseStatus));
    }

    [Fact]
    public async Task The_same_request_twice_dials_once()
    {
        var body = new { requestId = "twice-" + Guid.NewGuid().ToString("N"), to = "+14155550102", twiml = "<Response/>" };

        Assert.Equal(await _mesh.Place(body), await _mesh.Place(body));
        await _mesh.WaitForPlacement(body.requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(60));
        await Task.Delay(1000, TestContext.Current.CancellationToken);

        Assert.Equal(1, _mesh.CreatesTo("+14155550102"));
    }

    [Theory]
    [InlineData("+15005550001", 21217)]
    [InlineData("+15005550003", 21215)]
    public async Task A_number_twilio_refuses_fails_with_its_code_and_is_not_retried(string to, int code)
    {
        var requestId = await _mesh.Place(new { to, twiml = "<Response/>" });

        var placement = await _mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "failed", TimeSpan.FromSeconds(60));

        Assert.Equal(code, placement.GetProperty("errorCode").GetInt32());
        Assert.Equal(1, placement.GetProperty("attempts").GetInt32());
        Assert.Equal(1, _mesh.CreatesTo(to));
    }

    [Fact]
    public async Task A_busy_number_ends_busy()
    {
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = "+14155550199", Outcome = CallOutcomeKind.Busy });
        var requestId = await _mesh.Place(new { to = "+14155550199", url = "https://flows.example.com/hello" });

        var callSid = (await _mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(60))).GetProperty("callSid").GetString()!;

        await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "busy", TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("""{"to":"4155550100","twiml":"<Response/>"}""", "To")]
    [InlineData("""{"to":"+14155550100"}""", "Url")]
    [InlineData("""{"to":"+14155550100","url":"ftp://x"}""", "Url")]
    [InlineData("""{"to":"+14155550100","flow":"nope"}""", "Flow")]
    [InlineData("""{"to":"+14155550100","twiml":"<Response/>","timeoutSeconds":1}""", "TimeoutSeconds")]
    [InlineData("""{"to":"+14155550100","twiml":"<Response/>","machineDetection":"Maybe"}""", "MachineDetection")]
    [InlineData("""{"to":"+14155550100","twiml":"<Response/>","metadata":{"note":"a\u0000b"}}""", "Metadata")]
    public async Task An_invalid_request_gets_400_naming_the_field_and_dials_nothing(string json, string field)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _mesh.Client.PostAsync("/api/calls", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(0, _mesh.CreatesTo("+14155550100"));
    }

    [Fact]
    public async Task Malformed_json_gets_400()
    {
        using var content = new StringContent("{\"to\":", Encoding.UTF8, "application/json");
        using var response = await _mesh.Client.PostAsync("/api/calls", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_request_is_a_404_problem()
    {
        using var response = await _mesh.Client.GetAsync("/api/calls/requests/unknown-request", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_call_placed_from_a_pool_dials_from_a_local_leased_number_until_it_ends_and_an_exhausted_pool_rejects_the_next()
    {
        var pool = $"calls-{Guid.NewGuid():N}"[..24];
        await Expect(HttpStatusCode.OK, _mesh.Client.PutAsJsonAsync($"/api/numbers/pools/{pool}", new { maxConcurrentCalls = 1, definedBy = "spec" }, Ct));
        await Expect(HttpStatusCode.Accepted, _mesh.Client.PostAsJsonAsync(
            "/api/numbers/provisioning", new { pool, country = "US", areaCodes = NewYork, count = 1, requestedBy = "spec" }, Ct));
        var number = (await WaitForNumbers($"/api/numbers?pool={pool}", n => n.EnumerateArray().Any(x => x.GetProperty("state").GetString() == "active")))
            .EnumerateArray().Single().GetProperty("phoneNumber").GetString()!;
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = "+12125550131", Outcome = CallOutcomeKind.Human, RingSeconds = 1, TalkSeconds = 6000 });

        var requestId = await _mesh.Place(new { to = "+12125550131", callerIdPool = pool, twiml = "<Response><Pause length=\"60\"/></Response>" });
        var placement = await _mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(60));
        var callSid = placement.GetProperty("callSid").GetString()!;
        Assert.Equal((number, pool), (placement.GetProperty("from").GetString(), placement.GetProperty("callerIdPool").GetString()));
        Assert.StartsWith("+1212", number, StringComparison.Ordinal);
        var create = Assert.Single(_mesh.Simulator.Control.Requests, r => r.Method == "POST" && r.Path.EndsWith("/Calls.json", StringComparison.Ordinal)
            && r.Form.TryGetValue("To", out var to) && to.Contains("+12125550131"));
        Assert.Equal(number, Assert.Single(create.Form["From"]));
        await WaitForNumbers($"/api/numbers/{Uri.EscapeDataString(number)}", n => n.GetProperty("usage").GetProperty("activeLeases").GetInt32() == 1);

        var refused = await _mesh.Place(new { to = "+12125550132", callerIdPool = pool, twiml = "<Response/>" });
        var rejected = await _mesh.WaitForPlacement(refused, p => p.GetProperty("status").GetString() == "rejected", TimeSpan.FromSeconds(60));
        Assert.Equal("CallerIdPool", rejected.GetProperty("rejectedField").GetString());
        Assert.Contains("pool-exhausted", rejected.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _mesh.CreatesTo("+12125550132"));

        await Expect(HttpStatusCode.Accepted, _mesh.Client.PostAsync($"/api/calls/{callSid}/hangup", null, Ct));
        await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(60));
        await WaitForNumbers($"/api/numbers/{Uri.EscapeDataString(number)}", n => n.GetProperty("usage").GetProperty("activeLeases").GetInt32() == 0);
    }

    [Fact]
    public async Task A_call_from_an_unknown_pool_is_rejected_with_the_reason_and_dials_nothing()
    {
        var requestId = await _mesh.Place(new { to = "+12125550133", callerIdPool = "no-such-pool", twiml = "<Response/>" });

        var rejected = await _mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "rejected", TimeSpan.FromSeconds(60));

        Assert.Equal("CallerIdPool", rejected.GetProperty("rejectedField").GetString());
        Assert.Contains("unknown-pool", rejected.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, _mesh.CreatesTo("+12125550133"));
    }

    private static readonly int[] NewYork = [212];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task Expect(HttpStatusCode status, Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
    }

    private async Task<JsonElement> WaitForNumbers(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await _mesh.Client.GetAsync(path, Ct);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}";
            if (response.StatusCode == HttpStatusCode.OK && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(Ct)) is var body && done(body))
            {
                return body;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"{path} did not reach the expected state within 60 s; last seen: {last}");
    }

    /// <summary>The gateway, Calls and NumberPool (caller ids from a pool), without the other services.</summary>
    public sealed class CallsMesh(TestInfrastructure infrastructure) : MeshFixture(infrastructure)
    {
        protected override IReadOnlyCollection<string>? OtherServices => ["numberpool"];
    }
}
