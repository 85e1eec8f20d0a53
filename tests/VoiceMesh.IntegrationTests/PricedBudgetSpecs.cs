using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A budget against real charges: Calls with its pricer (<see cref="CallCostSpecs.PricedMesh"/>, a mesh of its own so
/// these calls stay out of the cost rollups' totals), the simulator pricing each answered call after it ends, and a
/// campaign budget whose in-flight estimate is too small to stop anything by itself.
/// </summary>
public sealed class PricedBudgetSpecs(CallCostSpecs.PricedMesh fixture) : IClassFixture<CallCostSpecs.PricedMesh>
{
    [Fact]
    public async Task A_campaign_budget_counts_what_twilio_charged_and_stops_placements_once_the_charges_reach_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var control = fixture.Mesh.Simulator.Control;
        control.Pricing = new CallPriceList { DefaultPerMinute = 0.0500m, DelaySeconds = 100 };
        control.AddOutcome(new OutcomeRule { Match = "+1415559*", Outcome = CallOutcomeKind.Human, TalkSeconds = 150 });
        var campaign = $"budget-{Guid.NewGuid():N}"[..20];
        var budget = $"/api/calls/budgets/campaign/{campaign}";

        // An estimate too small to stop anything: only the charges Twilio reports can reach 0.10.
        using (var set = await fixture.Mesh.Client.PutAsJsonAsync(budget, new { amount = 0.10m, currency = "USD", period = "day", estimatePerCall = 0.0001m }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        async Task<JsonElement> PlaceAndSettle(int i)
        {
            var requestId = await fixture.Mesh.Place(new { to = $"+1415559{i:D4}", twiml = "<Response/>", campaign });
            return await fixture.Mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() != "requested", TimeSpan.FromSeconds(60));
        }

        // Two calls, each answered for a billed minute at 0.05 and priced by the simulator after it ended.
        for (var i = 0; i < 2; i++)
        {
            var placement = await PlaceAndSettle(i);
            Assert.Equal("placed", placement.GetProperty("status").GetString());
            var sid = placement.GetProperty("callSid").GetString()!;
            var priced = await fixture.Mesh.WaitForCall(sid, c => c.GetProperty("price").ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(60));
            Assert.Equal(control.CallPrice(sid)!.Charge, priced.GetProperty("price").GetProperty("amount").GetDecimal());
            Assert.Equal(0.05m, control.CallPrice(sid)!.Charge);
        }

        var refused = await PlaceAndSettle(2);
        Assert.Equal("rejected", refused.GetProperty("status").GetString());
        Assert.StartsWith("BudgetExhausted", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, control.Requests.Count(r => r.Method == "POST" && r.Form.TryGetValue("To", out var to) && to.Contains("+14155590002")));

        var state = await fixture.Mesh.Client.GetFromJsonAsync<JsonElement>(budget, ct);
        Assert.Equal((0.10m, 0, 0m, true), (
            state.GetProperty("spent").GetDecimal(), state.GetProperty("inFlight").GetInt32(),
            state.GetProperty("remaining").GetDecimal(), state.GetProperty("exhausted").GetBoolean()));
    }
}
