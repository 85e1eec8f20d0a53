using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Leasing;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Outbox;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.NumberPool.Provisioning;
using VoiceMesh.NumberPool.Routing;

namespace VoiceMesh.NumberPool.Tests;

public sealed class SelectionInputsSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("+14155550100", "US", "415", "415555", "California")]
    [InlineData("+12125550100", "US", "212", "212555", "New York")]
    [InlineData("+17185550100", "US", "718", "718555", "New York")]
    [InlineData("+12065550100", "US", "206", "206555", "Washington State")]
    [InlineData("+14255550100", "US", "425", "425555", "Washington State")]
    [InlineData("+16045550100", "CA", "604", "604555", "British Columbia")]
    public void Nanp_numbers_are_placed_by_area_code_exchange_and_region(string e164, string country, string areaCode, string exchange, string region)
    {
        var location = NumberGeography.Locate(e164);

        Assert.Equal((country, areaCode, exchange, region), (location!.IsoCountry, location.AreaCode, location.Exchange, location.Region));
    }

    [Fact]
    public void Numbers_outside_the_nanp_have_a_country_and_no_area_code()
    {
        var london = NumberGeography.Locate("+442079460123");

        Assert.Equal(("GB", null, null, "Europe/London"), (london!.IsoCountry, london.AreaCode, london.Exchange, london.TimeZone));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("4155550100")]
    [InlineData("+1415555")]
    [InlineData("+1 415 555 0100")]
    [InlineData("+14155550100999999")]
    [InlineData("+19995550100")]
    public void Anything_but_a_valid_e164_number_is_no_destination(string? e164) => Assert.Null(NumberGeography.Locate(e164));

    [Fact]
    public void A_provisioning_count_is_spread_evenly_over_the_area_codes()
    {
        var command = new ProvisionNumbers
        {
            RequestId = "r", Pool = "p", Country = "US", AreaCodes = [415, 212, 312], Count = 50, RequestedBy = "ops", OccurredAt = Now,
        };

        var searches = ProvisionNumbersConsumer.Searches(command).ToList();

        Assert.Equal([17, 17, 16], searches.Select(s => s.Wanted));
        Assert.Equal([415, 212, 312], searches.Select(s => s.AreaCode!.Value));
        Assert.Equal([("CA", 3)], ProvisionNumbersConsumer.Searches(command with { AreaCodes = [], Region = "CA", Count = 3 }).Select(s => (s.Where, s.Wanted)));
    }

    [Theory]
    [InlineData("", "sales", "US", 1, "requestId")]
    [InlineData("r", "Sales", "US", 1, "pool")]
    [InlineData("r", "sales", "USA", 1, "country")]
    [InlineData("r", "sales", "US", 0, "count")]
    [InlineData("r", "sales", "US", 501, "count")]
    public void Invalid_provisioning_requests_name_the_field(string requestId, string pool, string country, int count, string field)
    {
        var command = new ProvisionNumbers { RequestId = requestId, Pool = pool, Country = country, Count = count, RequestedBy = "ops", OccurredAt = Now };

        Assert.Equal(field, ProvisioningValidator.Validate(command)?.Field);
    }

    [Fact]
    public void A_pool_definition_that_changes_nothing_appends_nothing()
    {
        var defined = new PoolDefined("sales", ["tenant-a"], new PoolLimits(2, 30, null, 10, TimeSpan.FromMinutes(5)), "ops", Now);
        var pool = Pool.Create(defined);

        Assert.Single(Pool.Define(null, defined).Events);
        Assert.Empty(Pool.Define(pool, defined with { DefinedAt = Now.AddHours(1) }).Events);
        Assert.Single(Pool.Define(pool, defined with { Limits = defined.Limits with { MaxConcurrentCalls = 3 } }).Events);
        Assert.False(Pool.IsValidName("Sales"));
        Assert.True(Pool.IsValidName("tenant-a.campaign_7"));
    }

    [Fact]
    public void A_provisioning_plan_leaves_as_one_purchase_per_number_with_distinct_stable_message_ids()
    {
        var planned = new ProvisioningPlanned("req-1", "sales", 3, ["+14155550100", "+14155550101"], [new Shortfall("999", 1, "none")], "ops", Now);
        var eventId = Guid.NewGuid();

        var messages = NumberEventsPublisher.Map(new JasperFx.Events.Event<ProvisioningPlanned>(planned));

        Assert.Equal(["+14155550100", "+14155550101"], messages.Cast<PurchaseNumber>().Select(p => p.PhoneNumber));
        Assert.NotEqual(NumberEventsPublisher.MessageId(eventId, 0), NumberEventsPublisher.MessageId(eventId, 1));
        Assert.Equal(eventId, NumberEventsPublisher.MessageId(eventId, 0));
        Assert.Equal(NumberEventsPublisher.MessageId(eventId, 1), NumberEventsPublisher.MessageId(eventId, 1));
    }

    [Fact]
    public void Matches_and_reasons_have_one_wire_string_each()
    {
        Assert.Equal(
            [CallerIdMatches.Exchange, CallerIdMatches.AreaCode, CallerIdMatches.Region, CallerIdMatches.Country, CallerIdMatches.Any],
            Enum.GetValues<LocalMatch>().Select(m => m.ToWire()));
        Assert.Equal(
            [CallerIdUnavailableReasons.PoolExhausted, CallerIdUnavailableReasons.UnknownPool, CallerIdUnavailableReasons.InvalidDestination],
            Enum.GetValues<Unavailability>().Select(r => r.ToWire()));
        Assert.All(Enum.GetValues<NumberState>(), s => Assert.True(NumberWire.TryParse(s.ToWire(), out var back) && back == s));
    }
}
