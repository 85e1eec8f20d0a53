using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Call costs end to end: Calls places scripted calls at the simulator, its pricer reads the price the simulator set
/// on each final call through the Twilio SDK, and <c>GET /api/calls/costs</c> (through the gateway) rolls them up.
/// </summary>
public sealed class CallCostSpecs(CallCostSpecs.PricedMesh fixture) : IClassFixture<CallCostSpecs.PricedMesh>
{
    private static readonly string[] Outcomes = ["human", "machine", "busy", "no-answer", "failed"];

    /// <summary>Destinations with different rates: a longer prefix inside a shorter one, a country, and one at the default rate.</summary>
    private static readonly string[] Destinations = ["+1415558", "+1415556", "+44207946", "+1212555"];

    private sealed record Planned(int Index, string To, string? Tenant, string? Campaign, string? Flow, string RequestId);

    [Fact]
    public async Task Two_hundred_scripted_calls_are_priced_as_the_simulator_charged_and_roll_up_to_the_cent()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var control = fixture.Mesh.Simulator.Control;
        control.Pricing = new CallPriceList
        {
            DefaultPerMinute = 0.0220m,
            Rates =
            [
                new CallRate { Prefix = "+1415", PerMinute = 0.0140m },
                new CallRate { Prefix = "+1415558", PerMinute = 0.0095m },
                new CallRate { Prefix = "+44", PerMinute = 0.02853m },
            ],
            // 500 s of the simulator's clock at TimeScale 0.01: a call is priced 5 s after it ended, so the pricer (every
            // 0.5 s, from the end on) finds calls not priced yet even on a loaded machine.
            DelaySeconds = 500,
        };
        foreach (var destination in Destinations)
        {
            // At TimeScale 0.01, 150 s of talk is 1.5 s: a billed minute.
            control.AddOutcome(new OutcomeRule { Match = destination + "0*", Outcome = CallOutcomeKind.Human, TalkSeconds = 150 });
            control.AddOutcome(new OutcomeRule { Match = destination + "1*", Outcome = CallOutcomeKind.Machine, TalkSeconds = 150 });
            control.AddOutcome(new OutcomeRule { Match = destination + "2*", Outcome = CallOutcomeKind.Busy });
            control.AddOutcome(new OutcomeRule { Match = destination + "3*", Outcome = CallOutcomeKind.NoAnswer });
            control.AddOutcome(new OutcomeRule { Match = destination + "4*", Outcome = CallOutcomeKind.Failed });
        }

        var dayBefore = DateTime.UtcNow.Date;
        var plan = Enumerable.Range(0, 200).Select(i => new Planned(
            i,
            $"{Destinations[i % 4]}{i % 5}{i:D3}",
            (i % 3) switch { 0 => "acme", 1 => "globex", _ => null },
            (i % 2) == 0 ? "spring" : (i % 7 == 1 ? null : "summer"),
            i % 4 == 1 ? "sales" : null,
            $"cost-{i}-{Guid.NewGuid():N}")).ToList();
        foreach (var call in plan)
        {
            await fixture.Mesh.Place(call.Flow is null
                ? new { requestId = call.RequestId, to = call.To, twiml = "<Response/>", tenant = call.Tenant, campaign = call.Campaign }
                : new { requestId = call.RequestId, to = call.To, flow = call.Flow, tenant = call.Tenant, campaign = call.Campaign });
        }

        var sids = new Dictionary<string, Planned>(StringComparer.Ordinal);
        foreach (var call in plan)
        {
            var placement = await fixture.Mesh.WaitForPlacement(call.RequestId, p => p.GetProperty("status").GetString() != "requested", TimeSpan.FromSeconds(60));
            Assert.Equal("placed", placement.GetProperty("status").GetString());
            sids[placement.GetProperty("callSid").GetString()!] = call;
        }

        // Every call ends priced with the simulator's own price (0 for the calls never answered).
        var charges = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (sid, call) in sids)
        {
            var stored = await fixture.Mesh.WaitForCall(sid, c => c.GetProperty("price").ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(60));
            var record = control.CallPrice(sid);
            Assert.NotNull(record);
            Assert.Equal(Outcomes[call.Index % 5] is "human" or "machine" ? "completed" : Outcomes[call.Index % 5], stored.GetProperty("status").GetString());
            Assert.Equal(record.Status, stored.GetProperty("status").GetString());
            Assert.Equal(record.Charge, stored.GetProperty("price").GetProperty("amount").GetDecimal());
            Assert.Equal(record.PriceUnit, stored.GetProperty("price").GetProperty("currency").GetString());
            charges[sid] = record.Charge;
        }

        // The simulator charged every answered call a minute at its destination's rate, and the others nothing.
        Assert.Equal([0m, 0.0095m, 0.0140m, 0.0220m, 0.02853m], charges.Values.Distinct().Order());
        Assert.All(sids, s => Assert.Equal(Outcomes[s.Value.Index % 5] is "human" or "machine", charges[s.Key] > 0));

        // A call Twilio had not priced yet when first asked (the simulator prices 5 s after the end) was asked again.
        var fetches = sids.Keys.Select(sid => control.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith($"/Calls/{sid}.json", StringComparison.Ordinal))).ToList();
        Assert.All(fetches, f => Assert.True(f >= 1));
        Assert.Contains(fetches, f => f > 1);

        var total = charges.Values.Sum();
        await AssertRollup("tenant", sids.ToDictionary(s => s.Key, s => s.Value.Tenant), charges);
        await AssertRollup("campaign", sids.ToDictionary(s => s.Key, s => s.Value.Campaign), charges);
        await AssertRollup("flow", sids.ToDictionary(s => s.Key, s => s.Value.Flow), charges);
        await AssertRollup("pool", sids.ToDictionary(s => s.Key, _ => (string?)null), charges);
        var dayAfter = DateTime.UtcNow.Date;
        var days = await Rollup("day", "");
        if (dayBefore == dayAfter)
        {
            await AssertRollup("day", sids.ToDictionary(s => s.Key, _ => (string?)dayAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), charges);
        }
        else
        {
            Assert.Equal(total, days.Sum(g => g.GetProperty("amount").GetDecimal()));
        }

        var window = await Rollup("tenant", $"&from={DateTime.UtcNow.AddHours(-1):yyyy-MM-ddTHH:mm:ssZ}&to={DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}");
        var later = await Rollup("tenant", $"&from={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}");
        Assert.Equal(total, window.Sum(g => g.GetProperty("amount").GetDecimal()));
        Assert.Empty(later);
        TestContext.Current.TestOutputHelper?.WriteLine($"200 calls placed, priced and rolled up in {clock.Elapsed}; total {total} USD");
    }

    [Theory]
    [InlineData("groupBy=region", "groupBy")]
    [InlineData("", "groupBy")]
    [InlineData("groupBy=tenant&from=yesterday", "from")]
    [InlineData("groupBy=tenant&to=2026-12-01T25:00:00Z", "to")]
    [InlineData("groupBy=day&from=2026-12-02&to=2026-12-01", "from")]
    public async Task A_malformed_cost_query_gets_400_problem_details_naming_the_field(string query, string field)
    {
        using var response = await fixture.Mesh.Client.GetAsync($"/api/calls/costs?{query}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private async Task<List<JsonElement>> Rollup(string groupBy, string window)
    {
        using var response = await fixture.Mesh.Client.GetAsync($"/api/calls/costs?groupBy={groupBy}{window}", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var rollup = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(groupBy, rollup.GetProperty("groupBy").GetString());
        return [.. rollup.GetProperty("groups").EnumerateArray()];
    }

    /// <summary>The rollup by <paramref name="groupBy"/> equals the sums of the simulator's charges by each call's key, exactly.</summary>
    private async Task AssertRollup(string groupBy, Dictionary<string, string?> keys, Dictionary<string, decimal> charges)
    {
        var expected = keys.GroupBy(k => k.Value)
            .Select(g => (Key: g.Key, Amount: g.Sum(c => charges[c.Key]), Calls: (long)g.Count()))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();

        var actual = (await Rollup(groupBy, ""))
            .Select(g =>
            {
                Assert.Equal("USD", g.GetProperty("currency").GetString());
                Assert.Equal(0, g.GetProperty("unpricedCalls").GetInt64());
                return (Key: g.GetProperty("key").GetString(), Amount: g.GetProperty("amount").GetDecimal(), Calls: g.GetProperty("pricedCalls").GetInt64());
            })
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();

        Assert.Equal(expected, actual);
    }

    /// <summary>Calls and the gateway, with a fast pricer and a named flow (its URL is Calls' own voice webhook).</summary>
    public sealed class PricedMesh(TestInfrastructure infrastructure) : IAsyncLifetime
    {
        public Mesh Mesh { get; private set; } = null!;

        public async ValueTask InitializeAsync() =>
            Mesh = await Mesh.Start(
                await infrastructure.CreateVirtualHostAsync(),
                infrastructure.PostgresConnectionString,
                callsPerSecond: 100,
                callsSettings: new Dictionary<string, string>
                {
                    ["Calls__Pricing__Interval"] = "00:00:00.500",
                    ["Calls__Pricing__FirstAfter"] = "00:00:00",
                    ["Calls__Pricing__RetryAfter"] = "00:00:00.500",
                    ["Calls__Pricing__MaxRetryAfter"] = "00:00:02",
                    ["Calls__Pricing__BatchSize"] = "100",
                    ["Calls__Pricing__FetchesPerSecond"] = "100",
                    ["Calls__Flows__sales"] = Mesh.PublicBaseUrl + "/twilio/voice",
                },
                otherServices: Mesh.CallsAlone);

        public ValueTask DisposeAsync() => Mesh.DisposeAsync();
    }
}
