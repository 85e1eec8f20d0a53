using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>Twilio's <c>price</c>/<c>price_unit</c> on the Call resource: null until rated, then a negative decimal string.</summary>
public sealed class CallPricingSpecs : IAsyncLifetime
{
    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync()
    {
        _world = await SimulatorWorld.StartAsync();
        _world.Control.Pricing = new CallPriceList
        {
            DefaultPerMinute = 0.0200m,
            Rates = [new CallRate { Prefix = "+1555", PerMinute = 0.0100m }, new CallRate { Prefix = "+15551", PerMinute = 0.0130m }],
            DelaySeconds = 2,
        };
    }

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task A_completed_call_is_priced_after_the_delay_at_the_longest_prefix_rate_per_started_minute()
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15551230010", Outcome = CallOutcomeKind.Human, TalkSeconds = 61 });
        var sid = (await CreateAsync("+15551230010")).Sid;

        // Answered at 4.2 s (queue 0.2, ring 1, answer 3), ended 61 s later: 2 billed minutes at the +15551 rate.
        await _world.AdvanceAsync(TimeSpan.FromSeconds(66));
        var ended = await FetchAsync(sid);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));
        var priced = await FetchAsync(sid);

        Assert.Equal((CallResource.StatusEnum.Completed, null), (ended.Status, ended.Price));
        Assert.Equal(("-0.02600", "USD"), (priced.Price, priced.PriceUnit));
        var record = _world.Control.CallPrice(sid);
        Assert.NotNull(record);
        Assert.Equal((61, 2, 0.0130m, "-0.02600", 0.026m), (record.DurationSeconds, record.BilledMinutes, record.PerMinute, record.Price, record.Charge));
    }

    [Fact]
    public async Task A_destination_no_prefix_matches_is_priced_at_the_default_rate_with_five_decimals()
    {
        _world.Control.Pricing = _world.Control.Pricing with { DefaultPerMinute = 0.0085m, PriceUnit = "EUR" };
        var sid = (await CreateAsync("+14155550100")).Sid;

        await _world.AdvanceAsync(TimeSpan.FromSeconds(30));
        var call = await FetchAsync(sid);

        Assert.Equal(("20", "-0.00850", "EUR"), (call.Duration, call.Price, call.PriceUnit));
    }

    [Theory]
    [InlineData(CallOutcomeKind.Busy, "busy")]
    [InlineData(CallOutcomeKind.NoAnswer, "no-answer")]
    [InlineData(CallOutcomeKind.Failed, "failed")]
    public async Task A_call_never_answered_costs_nothing(CallOutcomeKind outcome, string status)
    {
        _world.Control.AddOutcome(new OutcomeRule { Match = "+15551230020", Outcome = outcome });
        var sid = (await CreateAsync("+15551230020")).Sid;

        await _world.AdvanceAsync(TimeSpan.FromMinutes(3));
        var call = await FetchAsync(sid);

        Assert.Equal((status, "0.00000"), (call.Status.ToString(), call.Price));
        Assert.Equal(0m, _world.Control.CallPrice(sid)?.Charge);
    }

    [Fact]
    public async Task A_call_canceled_while_ringing_costs_nothing()
    {
        var sid = (await CreateAsync("+15551230030")).Sid;
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));

        await CallResource.UpdateAsync(new UpdateCallOptions(sid) { Status = CallResource.UpdateStatusEnum.Canceled }, _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));

        Assert.Equal(("canceled", "0.00000"), ((await FetchAsync(sid)).Status.ToString(), (await FetchAsync(sid)).Price));
    }

    [Fact]
    public async Task A_live_call_has_no_price_and_no_price_record()
    {
        var sid = (await CreateAsync("+15551230040")).Sid;
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));

        Assert.Null((await FetchAsync(sid)).Price);
        Assert.Null(_world.Control.CallPrice(sid));
        Assert.Empty(_world.Control.CallPrices);
    }

    [Fact]
    public async Task A_new_price_list_rates_calls_that_end_after_it_and_keeps_earlier_prices()
    {
        var before = (await CreateAsync("+15551230050")).Sid;
        await _world.AdvanceAsync(TimeSpan.FromSeconds(30));
        _world.Control.Pricing = _world.Control.Pricing with { Rates = [new CallRate { Prefix = "+15551", PerMinute = 0.5m }] };
        var after = (await CreateAsync("+15551230051")).Sid;
        await _world.AdvanceAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["-0.01300", "-0.50000"], [(await FetchAsync(before)).Price, (await FetchAsync(after)).Price]);
        Assert.Equal([before, after], _world.Control.CallPrices.Select(p => p.CallSid));
    }

    [Fact]
    public async Task The_admin_api_sets_the_price_list_and_reports_each_calls_price()
    {
        using var http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
        var ct = TestContext.Current.CancellationToken;
        using var put = await http.PutAsJsonAsync(
            "/_sim/pricing", new { defaultPerMinute = 0.03m, rates = new[] { new { prefix = "+44", perMinute = 0.0285m } }, delaySeconds = 0, priceUnit = "USD" }, ct);
        var sid = (await CreateAsync("+442079460001")).Sid;
        await _world.AdvanceAsync(TimeSpan.FromSeconds(30));

        var list = await http.GetFromJsonAsync<JsonElement>("/_sim/pricing", ct);
        var price = await http.GetFromJsonAsync<JsonElement>($"/_sim/calls/{sid}/price", ct);
        var prices = await http.GetFromJsonAsync<JsonElement>("/_sim/calls/prices", ct);
        using var unknown = await http.GetAsync("/_sim/calls/CA00000000000000000000000000000000/price", ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(0.0285m, list.GetProperty("rates")[0].GetProperty("perMinute").GetDecimal());
        Assert.Equal(("-0.02850", 1, "+442079460001"), (price.GetProperty("price").GetString(), price.GetProperty("billedMinutes").GetInt32(), price.GetProperty("to").GetString()));
        Assert.Equal(sid, prices[0].GetProperty("callSid").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("-0.02850", (await FetchAsync(sid)).Price);
    }

    [Theory]
    [InlineData("""{"defaultPerMinute":-0.01}""", "defaultPerMinute")]
    [InlineData("""{"rates":[{"prefix":"44","perMinute":0.01}]}""", "prefix")]
    [InlineData("""{"rates":[{"prefix":"+44","perMinute":-1}]}""", "perMinute")]
    [InlineData("""{"delaySeconds":-1}""", "delaySeconds")]
    [InlineData("""{"priceUnit":"usd"}""", "priceUnit")]
    public async Task A_price_list_that_makes_no_prices_gets_400_naming_the_field(string body, string field)
    {
        using var http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
        var ct = TestContext.Current.CancellationToken;
        var before = _world.Control.Pricing;

        using var response = await http.PutAsync("/_sim/pricing", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Same(before, _world.Control.Pricing);
    }

    private Task<CallResource> CreateAsync(string to) =>
        CallResource.CreateAsync(
            to: new PhoneNumber(to), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl), client: _world.Twilio);

    private Task<CallResource> FetchAsync(string sid) => CallResource.FetchAsync(sid, client: _world.Twilio);
}
