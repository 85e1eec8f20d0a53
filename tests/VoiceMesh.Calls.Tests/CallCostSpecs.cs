using VoiceMesh.Calls.Costs;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Tests;

public sealed class CallCostSpecs
{
    private const string CallSid = "CA77777777777777777777777777777777";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    private static Call Completed => new() { Id = CallSid, Status = CallStatus.Completed, IsTerminal = true };

    private static CallPriced Priced(decimal amount) => new() { CallSid = CallSid, Price = new Money(amount, "USD"), PricedAt = Now };

    [Fact]
    public void A_final_call_without_a_price_is_priced_once()
    {
        var priced = Assert.IsType<CallPriced>(Assert.Single(Call.Decide(Completed, Priced(0.028m)).Events));
        var after = Completed.Apply(priced);

        Assert.Equal(new Money(0.028m, "USD"), after.Price);
        Assert.Empty(Call.Decide(after, Priced(0.028m)).Events);
        Assert.Empty(Call.Decide(after, Priced(0.5m)).Events);
    }

    [Fact]
    public void A_live_or_unknown_call_is_not_priced()
    {
        Assert.Empty(Call.Decide(Completed with { Status = CallStatus.InProgress, IsTerminal = false }, Priced(0.028m)).Events);
        Assert.Empty(Call.Decide(null, Priced(0.028m)).Events);
    }

    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    private static Decision Look(Call? call, int? code = null) => PricingDecision.Checked(call, Now, code, RetryAfter, MaxRetryAfter);

    [Fact]
    public void A_final_call_twilio_has_not_priced_records_the_look_the_refusal_code_and_the_next_look()
    {
        var look = Assert.IsType<CallPriceChecked>(Assert.Single(Look(Completed, 20404).Events));
        var after = Completed.Apply(look);

        Assert.Equal((CallSid, Now, (int?)20404, Now + RetryAfter), (look.CallSid, look.CheckedAt, look.TwilioErrorCode, look.NextCheckAt));
        Assert.Equal((Now, 1, (DateTimeOffset?)(Now + RetryAfter)), (after.PriceCheckedAt, after.PriceChecks, after.PriceCheckDueAt));
        Assert.Null(after.Price);
    }

    [Fact]
    public void Each_further_look_without_a_price_waits_twice_as_long_up_to_the_most()
    {
        var call = Completed;
        List<TimeSpan> waits = [];
        for (var i = 0; i < 5; i++)
        {
            var look = Assert.IsType<CallPriceChecked>(Assert.Single(Look(call).Events));
            waits.Add(look.NextCheckAt - look.CheckedAt);
            call = call.Apply(look);
        }

        Assert.Equal([2, 4, 8, 10, 10], waits.Select(w => w.TotalMinutes));
    }

    [Fact]
    public void A_look_at_a_priced_live_or_unknown_call_records_nothing()
    {
        Assert.Empty(Look(Completed.Apply(Priced(0.01m))).Events);
        Assert.Empty(Look(Completed with { Status = CallStatus.Ringing, IsTerminal = false }).Events);
        Assert.Empty(Look(null).Events);
    }

    [Theory]
    [InlineData("-0.01300", "USD", "0.01300", "USD")]
    [InlineData("-0.02800", "usd", "0.02800", "USD")]
    [InlineData("0.00000", "USD", "0.00000", "USD")]
    [InlineData("-123456.78901", "EUR", "123456.78901", "EUR")]
    [InlineData("0.50000", "USD", "-0.50000", "USD")]
    public void Twilios_price_string_is_read_exactly_as_the_amount_charged(string price, string unit, string amount, string currency)
    {
        Assert.True(TwilioPrice.TryParse(price, unit, out var charged));

        Assert.Equal(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), charged.Amount);
        Assert.Equal(amount, charged.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(currency, charged.Currency);
    }

    [Theory]
    [InlineData(null, "USD")]
    [InlineData("", "USD")]
    [InlineData("-0.01300", null)]
    [InlineData("-0.01300", "US")]
    [InlineData("-0,01300", "USD")]
    [InlineData("-1.3e-2", "USD")]
    [InlineData("NaN", "USD")]
    [InlineData("-0.013 ", "USD")]
    public void A_price_not_set_yet_or_not_a_plain_decimal_is_no_price(string? price, string? unit)
    {
        Assert.False(TwilioPrice.TryParse(price, unit, out var charged));
        Assert.Null(charged);
    }

    [Theory]
    [InlineData("tenant", CostGrouping.Tenant)]
    [InlineData("campaign", CostGrouping.Campaign)]
    [InlineData("pool", CostGrouping.Pool)]
    [InlineData("flow", CostGrouping.Flow)]
    [InlineData("day", CostGrouping.Day)]
    public void Every_grouping_is_read_by_its_wire_name(string groupBy, CostGrouping grouping)
    {
        var (query, violation) = CostRollupQuery.Parse(groupBy, null, null);

        Assert.Null(violation);
        Assert.Equal(new CostRollupQuery(grouping, null, null), query);
    }

    [Fact]
    public void Dates_are_iso_8601_and_read_as_utc()
    {
        var (query, _) = CostRollupQuery.Parse("day", "2026-12-01", "2026-12-01T10:30:00+02:00");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), query!.From);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 30, 0, TimeSpan.Zero), query.To);
        Assert.Equal(TimeSpan.Zero, query.To!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 30, 0, 500, TimeSpan.Zero), CostRollupQuery.Parse("day", "2026-12-01T08:30:00.5Z", null).Query!.From);
    }

    [Theory]
    [InlineData(null, null, null, "groupBy")]
    [InlineData("Tenant", null, null, "groupBy")]
    [InlineData("region", null, null, "groupBy")]
    [InlineData("tenant", "yesterday", null, "from")]
    [InlineData("tenant", "12/01/2026", null, "from")]
    [InlineData("tenant", "2026-13-01", null, "from")]
    [InlineData("tenant", null, "2026-12-01T25:00:00Z", "to")]
    [InlineData("tenant", "2026-12-02", "2026-12-01", "from")]
    public void A_malformed_query_names_its_field(string? groupBy, string? from, string? to, string field)
    {
        var (query, violation) = CostRollupQuery.Parse(groupBy, from, to);

        Assert.Null(query);
        Assert.Equal(field, violation?.Field);
    }
}
