using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Issue 17's acceptance, against real RabbitMQ and PostgreSQL with Calls and the gateway as processes: a campaign's
/// budget stops its placements once spent plus the calls in flight (at the budget's estimate) reach the amount, never
/// more, even when they arrive at once; the refused ones are rejected with BudgetExhausted and never dialled; the
/// BudgetExhausted event is published once; other campaigns are not touched. (The next period's resumption is proven
/// in the unit specs, tests/VoiceMesh.Calls.Tests/BudgetSpecs.cs, with a fake clock.)
/// </summary>
public sealed class BudgetSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string Budget = "/api/calls/budgets/campaign/spring";
    private Mesh _mesh = null!;
    private HttpClient _management = null!;
    private QueueProbe _exhausted = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        _mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString, callsPerSecond: 50, otherServices: Mesh.CallsAlone);
        _management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
        _exhausted = await QueueProbe.Bind(
            _management, new Uri(uri).AbsolutePath.Trim('/'), "VoiceMesh.Contracts.Calls:BudgetExhausted", "budget-probe", declareExchange: true);
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await _mesh.DisposeAsync();
    }

    private static string Number(int i) => $"+1415557{i:D4}";

    private async Task<JsonElement> Placed(string requestId) =>
        await _mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() != "requested", TimeSpan.FromSeconds(90));

    private async Task<IReadOnlyList<JsonElement>> PlaceAtOnce(string campaign, int from, int count)
    {
        var requests = await Task.WhenAll(Enumerable.Range(from, count).Select(i => _mesh.Place(new { to = Number(i), twiml = "<Response/>", campaign })));
        return await Task.WhenAll(requests.Select(Placed));
    }

    private async Task<JsonElement> Get(string path)
    {
        using var response = await _mesh.Client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    [Fact]
    public async Task Placements_of_a_campaign_stop_at_its_budget_with_BudgetExhausted_published_once_and_other_campaigns_go_on()
    {
        using (var set = await _mesh.Client.PutAsJsonAsync(Budget, new { amount = 1.00m, currency = "USD", period = "day", estimatePerCall = 0.25m }, Ct))
        {
            Assert.True(set.StatusCode == HttpStatusCode.OK, _mesh.Calls[0].RecentOutput);
            var budget = await set.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal((1.00m, 1.00m, false), (budget.GetProperty("amount").GetDecimal(), budget.GetProperty("remaining").GetDecimal(), budget.GetProperty("exhausted").GetBoolean()));
        }

        // Ten at once: the budget's stream admits them one version at a time, so 0, 0.25, 0.50 and 0.75 in flight admit
        // and the fifth (1.00 in flight) is refused: exactly four are dialled, however the deliveries interleave.
        var spring = await PlaceAtOnce("spring", 0, 10);
        var autumn = await PlaceAtOnce("autumn", 100, 3);

        var placed = spring.Where(p => p.GetProperty("status").GetString() == "placed").ToList();
        var refused = spring.Where(p => p.GetProperty("status").GetString() == "rejected").ToList();
        Assert.Equal(4, placed.Count);
        Assert.Equal(6, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal("Campaign", r.GetProperty("rejectedField").GetString());
            Assert.StartsWith("BudgetExhausted", r.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, r.GetProperty("callSid").ValueKind);
        });
        Assert.Equal(4, Enumerable.Range(0, 10).Sum(i => _mesh.CreatesTo(Number(i))));
        Assert.All(autumn, a => Assert.Equal("placed", a.GetProperty("status").GetString()));

        var standing = await Get(Budget);
        Assert.Equal(
            (0m, 4, 1.00m, 0m, true),
            (standing.GetProperty("spent").GetDecimal(), standing.GetProperty("inFlight").GetInt32(), standing.GetProperty("inFlightEstimate").GetDecimal(),
                standing.GetProperty("remaining").GetDecimal(), standing.GetProperty("exhausted").GetBoolean()));
        var today = DateTimeOffset.UtcNow;
        Assert.Equal(new DateTimeOffset(today.Year, today.Month, today.Day, 0, 0, 0, TimeSpan.Zero), standing.GetProperty("periodStart").GetDateTimeOffset());

        // Once per budget and period: a further refusal publishes nothing more.
        var later = await PlaceAtOnce("spring", 10, 1);
        Assert.Equal("rejected", Assert.Single(later).GetProperty("status").GetString());
        var published = await Published(TimeSpan.FromSeconds(30));
        var message = JsonSerializer.Deserialize<JsonElement>(Assert.Single(published).GetProperty("payload").GetString()!).GetProperty("message");
        Assert.Equal(("campaign", "spring", 1.00m, "USD", "day", 4), (
            message.GetProperty("scope").GetString(), message.GetProperty("key").GetString(), WireDecimal(message.GetProperty("amount")),
            message.GetProperty("currency").GetString(), message.GetProperty("period").GetString(), message.GetProperty("callsInFlight").GetInt32()));

        // Removed, the campaign places again.
        using (var removed = await _mesh.Client.DeleteAsync(Budget, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.Equal("placed", Assert.Single(await PlaceAtOnce("spring", 20, 1)).GetProperty("status").GetString());
        using var gone = await _mesh.Client.GetAsync(Budget, Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    /// <summary>MassTransit's serializer writes a decimal as a JSON string, to keep it exact.</summary>
    private static decimal WireDecimal(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? decimal.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : value.GetDecimal();

    /// <summary>The probe's messages once at least one arrived and a few more seconds passed without another.</summary>
    private async Task<IReadOnlyList<JsonElement>> Published(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<JsonElement> seen = [];
        while (DateTime.UtcNow < deadline && seen.Count == 0)
        {
            await Task.Delay(500, Ct);
            seen = await _exhausted.Get(10, remove: false, Ct);
        }

        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        return await _exhausted.Get(10, remove: false, Ct);
    }

    [Fact]
    public async Task A_malformed_budget_gets_400_naming_the_field_and_sets_nothing()
    {
        (string Path, string Json, string Field)[] cases =
        [
            ("/api/calls/budgets/team/spring", """{"amount": 1, "currency": "USD", "period": "day"}""", "scope"),
            (Budget, """{"amount": "lots", "currency": "USD", "period": "day"}""", "amount"),
            (Budget, """{"amount": 1, "currency": "dollars", "period": "day"}""", "currency"),
            (Budget, """{"amount": 1, "currency": "USD", "period": "year"}""", "period"),
            (Budget, """{"amount": 1, "currency": "USD", "period": "day", "estimatePerCall": -1}""", "estimatePerCall"),
        ];
        foreach (var (path, json, field) in cases)
        {
            using var response = await _mesh.Client.PutAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names no {field}: {problem}");
        }

        using var get = await _mesh.Client.GetAsync(Budget, Ct);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }
}
