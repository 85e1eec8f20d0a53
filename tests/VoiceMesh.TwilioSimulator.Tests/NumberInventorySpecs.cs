using PhoneNumbers;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.AvailablePhoneNumberCountry;
using PhoneNumber = Twilio.Types.PhoneNumber;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>
/// AvailablePhoneNumbers generates numbers on demand for any NANP area code (valid by libphonenumber, unique, never an
/// owned one) with Twilio's filters and paging; IncomingPhoneNumbers keeps what the account bought.
/// </summary>
public sealed class NumberInventorySpecs : IAsyncLifetime
{
    private static readonly PhoneNumberUtil Numbers = PhoneNumberUtil.GetInstance();
    private static readonly string[] TollFreeCodes = ["800", "833", "844", "855", "866", "877", "888"];
    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Searching_an_area_code_pages_through_valid_unique_numbers_of_that_area_code()
    {
        var numbers = (await LocalResource.ReadAsync("US", areaCode: 415, pageSize: 50, limit: 250, client: _world.Twilio)).ToList();

        Assert.Equal(250, numbers.Count);
        Assert.Equal(250, numbers.Select(n => n.PhoneNumber.ToString()).Distinct().Count());
        Assert.All(numbers, n =>
        {
            Assert.StartsWith("+1415", n.PhoneNumber.ToString(), StringComparison.Ordinal);
            Assert.True(Numbers.IsValidNumber(Numbers.Parse(n.PhoneNumber.ToString(), null)), n.PhoneNumber.ToString());
            Assert.Equal(("CA", "US"), (n.Region, n.IsoCountry));
            Assert.True(n.Capabilities.Voice);
        });
    }

    [Theory]
    [InlineData("US", 907, "AK")]
    [InlineData("US", 305, "FL")]
    [InlineData("US", 512, "TX")]
    [InlineData("CA", 604, "BC")]
    [InlineData("CA", 416, "ON")]
    public async Task Any_nanp_area_code_offers_numbers_placed_in_its_region(string country, int areaCode, string region)
    {
        var numbers = (await LocalResource.ReadAsync(country, areaCode: areaCode, pageSize: 20, limit: 20, client: _world.Twilio)).ToList();

        Assert.Equal(20, numbers.Count);
        Assert.All(numbers, n => Assert.Equal((region, country), (n.Region, n.IsoCountry)));
        Assert.All(numbers, n => Assert.StartsWith($"+1{areaCode}", n.PhoneNumber.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_area_code_not_in_service_offers_nothing()
    {
        Assert.Empty(await LocalResource.ReadAsync("US", areaCode: 999, client: _world.Twilio));
        Assert.Empty(await LocalResource.ReadAsync("US", areaCode: 415, inRegion: "NY", client: _world.Twilio));
    }

    [Fact]
    public async Task In_region_spreads_over_the_regions_area_codes()
    {
        var texas = (await LocalResource.ReadAsync("US", inRegion: "TX", pageSize: 100, limit: 100, client: _world.Twilio)).ToList();

        Assert.Equal(100, texas.Count);
        Assert.All(texas, n => Assert.Equal("TX", n.Region));
        Assert.True(texas.Select(n => n.PhoneNumber.ToString()[2..5]).Distinct().Count() > 5);
    }

    [Fact]
    public async Task Contains_matches_letters_on_the_keypad_and_wildcards()
    {
        var taxi = (await LocalResource.ReadAsync("US", areaCode: 212, contains: "TAXI", pageSize: 10, limit: 10, client: _world.Twilio)).ToList();
        var wildcard = (await LocalResource.ReadAsync("US", areaCode: 312, contains: "31220*", pageSize: 10, limit: 10, client: _world.Twilio)).ToList();

        Assert.Equal(10, taxi.Count);
        Assert.All(taxi, n => Assert.Contains("8294", n.PhoneNumber.ToString(), StringComparison.Ordinal));
        Assert.NotEmpty(wildcard);
        Assert.All(wildcard, n => Assert.StartsWith("+131220", n.PhoneNumber.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Toll_free_and_capability_filters_answer_what_such_numbers_can_do()
    {
        var tollFree = (await TollFreeResource.ReadAsync("US", pageSize: 20, limit: 20, client: _world.Twilio)).ToList();
        var tollFreeMms = await TollFreeResource.ReadAsync("US", mmsEnabled: true, client: _world.Twilio);
        var localFax = await LocalResource.ReadAsync("US", areaCode: 415, faxEnabled: true, client: _world.Twilio);
        var mobile = (await MobileResource.ReadAsync("US", areaCode: 646, pageSize: 5, limit: 5, client: _world.Twilio)).ToList();

        Assert.Equal(20, tollFree.Count);
        Assert.All(tollFree, n => Assert.Contains(n.PhoneNumber.ToString()[2..5], TollFreeCodes));
        Assert.All(tollFree, n => Assert.False(n.Capabilities.Mms));
        Assert.Empty(tollFreeMms);
        Assert.Empty(localFax);
        Assert.Equal(5, mobile.Count);
    }

    [Fact]
    public async Task A_bought_number_leaves_the_search_can_be_updated_and_is_gone_for_good_once_released()
    {
        var offered = (await LocalResource.ReadAsync("US", areaCode: 415, pageSize: 5, limit: 5, client: _world.Twilio)).ToList();
        var bought = await IncomingPhoneNumberResource.CreateAsync(
            phoneNumber: offered[0].PhoneNumber, friendlyName: "sales", voiceUrl: new Uri(SimulatorWorld.VoiceUrl),
            statusCallback: new Uri(SimulatorWorld.StatusCallback), client: _world.Twilio);
        var searchAfterBuy = (await LocalResource.ReadAsync("US", areaCode: 415, pageSize: 5, limit: 5, client: _world.Twilio)).ToList();
        var again = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.CreateAsync(
            phoneNumber: offered[0].PhoneNumber, client: _world.Twilio));
        var updated = await IncomingPhoneNumberResource.UpdateAsync(bought.Sid, friendlyName: "support", client: _world.Twilio);
        var listed = (await IncomingPhoneNumberResource.ReadAsync(phoneNumber: offered[0].PhoneNumber, client: _world.Twilio)).ToList();

        Assert.True(await IncomingPhoneNumberResource.DeleteAsync(bought.Sid, client: _world.Twilio));
        var deleteAgain = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.DeleteAsync(bought.Sid, client: _world.Twilio));
        var updateGone = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.UpdateAsync(bought.Sid, friendlyName: "x", client: _world.Twilio));

        Assert.Matches("^PN[0-9a-f]{32}$", bought.Sid);
        Assert.Equal(new Uri(SimulatorWorld.VoiceUrl), bought.VoiceUrl);
        Assert.Equal(new Uri(SimulatorWorld.StatusCallback), bought.StatusCallback);
        Assert.DoesNotContain(searchAfterBuy, n => n.PhoneNumber.ToString() == offered[0].PhoneNumber.ToString());
        Assert.Equal(offered[1].PhoneNumber.ToString(), searchAfterBuy[0].PhoneNumber.ToString());
        Assert.Equal((21422, 400), (again.Code, again.Status));
        Assert.Equal(("support", new Uri(SimulatorWorld.VoiceUrl)), (updated.FriendlyName, updated.VoiceUrl));
        Assert.Equal(bought.Sid, Assert.Single(listed).Sid);
        Assert.Equal((20404, 404), (deleteAgain.Code, deleteAgain.Status));
        Assert.Equal((20404, 404), (updateGone.Code, updateGone.Status));
        Assert.Equal(offered[0].PhoneNumber.ToString(),
            (await LocalResource.ReadAsync("US", areaCode: 415, pageSize: 1, limit: 1, client: _world.Twilio)).Single().PhoneNumber.ToString());
    }

    [Fact]
    public async Task Buying_by_area_code_picks_an_available_number_and_refused_or_invalid_numbers_answer_twilio_errors()
    {
        var byAreaCode = await IncomingPhoneNumberResource.CreateAsync(areaCode: "512", client: _world.Twilio);
        var noneThere = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.CreateAsync(areaCode: "999", client: _world.Twilio));
        var invalid = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.CreateAsync(
            phoneNumber: new PhoneNumber("+15005550001"), client: _world.Twilio));
        _world.Control.RefuseNumberPurchases("+1206");
        var offered = (await LocalResource.ReadAsync("US", areaCode: 206, pageSize: 1, limit: 1, client: _world.Twilio)).Single();
        var refused = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.CreateAsync(
            phoneNumber: offered.PhoneNumber, client: _world.Twilio));

        Assert.StartsWith("+1512", byAreaCode.PhoneNumber.ToString(), StringComparison.Ordinal);
        Assert.Equal(21452, noneThere.Code);
        Assert.Equal(21421, invalid.Code);
        Assert.Equal(21422, refused.Code);
        Assert.Empty(await IncomingPhoneNumberResource.ReadAsync(phoneNumber: offered.PhoneNumber, client: _world.Twilio));
    }
}
