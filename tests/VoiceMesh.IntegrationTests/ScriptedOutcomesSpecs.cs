using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// 200 PlaceCall commands with scripted outcomes, each sent twice, through the API, RabbitMQ, Calls, PostgreSQL and
/// the simulator; and the outcome events other systems receive on the bus.
/// </summary>
public sealed class ScriptedOutcomesSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private static readonly string[] OutcomeEvents = ["CallPlaced", "CallPlacementFailed", "CallPlacementRejected"];
    private Mesh _mesh = null!;
    private HttpClient _management = null!;
    private string _vhost = "";

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        _vhost = new Uri(uri).AbsolutePath.Trim('/');
        _management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
        foreach (var name in OutcomeEvents)
        {
            var exchange = Uri.EscapeDataString($"VoiceMesh.Contracts.Calls:{name}");
            (await _management.PutAsJsonAsync($"api/exchanges/{_vhost}/{exchange}", new { type = "fanout", durable = true })).EnsureSuccessStatusCode();
            (await _management.PutAsJsonAsync($"api/queues/{_vhost}/probe-{name}", new { durable = false })).EnsureSuccessStatusCode();
            (await _management.PostAsJsonAsync($"api/bindings/{_vhost}/e/{exchange}/q/probe-{name}", new { routing_key = "" })).EnsureSuccessStatusCode();
        }

        _mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString, callsPerSecond: 100, otherServices: Mesh.CallsAlone);
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await _mesh.DisposeAsync();
    }

    private async Task<List<JsonElement>> Drain(string eventName)
    {
        using var response = await _management.PostAsJsonAsync(
            $"api/queues/{_vhost}/probe-{eventName}/get", new { count = 1000, ackmode = "ack_requeue_false", encoding = "auto" });
        response.EnsureSuccessStatusCode();
        var messages = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. messages.EnumerateArray().Select(m => JsonSerializer.Deserialize<JsonElement>(m.GetProperty("payload").GetString()!).GetProperty("message"))];
    }

    private sealed record Expected(string Kind, string To, string? Status, string? AnsweredBy, int? ErrorCode);

    [Fact]
    public async Task Two_hundred_scripted_commands_sent_twice_each_end_right_and_dial_once()
    {
        var control = _mesh.Simulator.Control;
        control.AddOutcome(new OutcomeRule { Match = "+14155581*", Outcome = CallOutcomeKind.Machine, AnsweredBy = "machine_start" });
        control.AddOutcome(new OutcomeRule { Match = "+14155582*", Outcome = CallOutcomeKind.Busy });
        control.AddOutcome(new OutcomeRule { Match = "+14155583*", Outcome = CallOutcomeKind.NoAnswer });
        control.AddOutcome(new OutcomeRule { Match = "+14155584*", Outcome = CallOutcomeKind.Failed });
        var plan = Enumerable.Range(0, 200).Select(i => (i % 6) switch
        {
            0 => new Expected("human", $"+14155580{i:D3}", "completed", "human", null),
            1 => new Expected("machine", $"+14155581{i:D3}", "completed", "machine_start", null),
            2 => new Expected("busy", $"+14155582{i:D3}", "busy", null, null),
            3 => new Expected("no-answer", $"+14155583{i:D3}", "no-answer", null, null),
            4 => new Expected("failed", $"+14155584{i:D3}", "failed", null, null),
            _ => new Expected("invalid", "+15005550001", null, null, 21217),
        }).ToList();

        var requests = new List<(string RequestId, Expected Expected)>();
        foreach (var (expected, i) in plan.Select((e, i) => (e, i)))
        {
            var body = new
            {
                requestId = $"scripted-{i}-{Guid.NewGuid():N}",
                to = expected.To,
                twiml = "<Response/>",
                machineDetection = expected.Kind is "human" or "machine" ? "Enable" : null,
            };
            await _mesh.Place(body);
            await _mesh.Place(body);
            requests.Add((body.requestId, expected));
        }

        foreach (var (requestId, expected) in requests)
        {
            var placement = await _mesh.WaitForPlacement(
                requestId, p => p.GetProperty("status").GetString() is "placed" or "failed", TimeSpan.FromSeconds(120));
            if (expected.ErrorCode is { } code)
            {
                Assert.Equal(code, placement.GetProperty("errorCode").GetInt32());
                continue;
            }

            var callSid = placement.GetProperty("callSid").GetString()!;
            var call = await _mesh.WaitForCall(
                callSid, c => c.GetProperty("status").GetString() == expected.Status, TimeSpan.FromSeconds(120));
            Assert.Equal(expected.AnsweredBy, call.GetProperty("answeredBy").GetString());

            // Every callback was delivered, so the read model got there from them, not from reconciliation's look at Twilio.
            Assert.All(call.GetProperty("history").EnumerateArray(), h => Assert.Equal("status-callback", h.GetProperty("source").GetString()));
            Assert.Equal(1, _mesh.CreatesTo(expected.To));
        }

        Assert.Equal(plan.Count(p => p.ErrorCode is not null), _mesh.CreatesTo("+15005550001"));
        // The events leave through the event store's subscription, shortly after they were stored.
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var failed = new List<JsonElement>();
        for (var i = 0; i < 150 && placed.Count < plan.Count(p => p.ErrorCode is null); i++)
        {
            placed.UnionWith((await Drain("CallPlaced")).Select(p => p.GetProperty("requestId").GetString()!));
            failed.AddRange(await Drain("CallPlacementFailed"));
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        failed.AddRange(await Drain("CallPlacementFailed"));
        Assert.Equal(requests.Where(r => r.Expected.ErrorCode is null).Select(r => r.RequestId).Order(), placed.Order());
        Assert.Equal(plan.Count(p => p.ErrorCode is not null), failed.Select(f => f.GetProperty("requestId").GetString()).Distinct().Count());
        Assert.All(failed, f => Assert.Equal(21217, f.GetProperty("errorCode").GetInt32()));
    }

    [Fact]
    public async Task An_invalid_place_call_on_the_bus_is_rejected_with_an_event_naming_the_field()
    {
        var requestId = "bus-" + Guid.NewGuid().ToString("N");
        var envelope = new
        {
            messageId = Guid.NewGuid(),
            messageType = new[] { "urn:message:VoiceMesh.Contracts.Calls:PlaceCall" },
            message = new { requestId, to = "12345", twiml = "<Response/>", occurredAt = DateTimeOffset.UtcNow },
        };
        using var published = await _management.PostAsJsonAsync(
            $"api/exchanges/{_vhost}/{Uri.EscapeDataString("VoiceMesh.Contracts.Calls:PlaceCall")}/publish",
            new
            {
                properties = new { content_type = "application/vnd.masstransit+json", delivery_mode = 2 },
                routing_key = "",
                payload = JsonSerializer.Serialize(envelope),
                payload_encoding = "string",
            },
            TestContext.Current.CancellationToken);
        published.EnsureSuccessStatusCode();

        var placement = await _mesh.WaitForPlacement(
            requestId, p => p.GetProperty("status").GetString() == "rejected", TimeSpan.FromSeconds(60));
        Assert.Equal("To", placement.GetProperty("rejectedField").GetString());

        List<JsonElement> rejected = [];
        for (var i = 0; i < 100 && rejected.Count == 0; i++)
        {
            rejected = await Drain("CallPlacementRejected");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        var rejection = Assert.Single(rejected);
        Assert.Equal(requestId, rejection.GetProperty("requestId").GetString());
        Assert.Equal("To", rejection.GetProperty("field").GetString());
    }
}
