using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.AvailablePhoneNumberCountry;
using Twilio.Types;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class NumbersAndRecordingsSpecs : IAsyncLifetime
{
    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Searching_local_numbers_filters_the_seeded_inventory()
    {
        var sanFrancisco = (await LocalResource.ReadAsync("US", areaCode: 415, client: _world.Twilio)).ToList();
        var texas = (await LocalResource.ReadAsync("US", inRegion: "TX", client: _world.Twilio)).ToList();
        var contains = (await LocalResource.ReadAsync("US", contains: "555011*", areaCode: 212, client: _world.Twilio)).ToList();
        var none = (await LocalResource.ReadAsync("US", areaCode: 999, client: _world.Twilio)).ToList();

        Assert.Equal(20, sanFrancisco.Count);
        Assert.All(sanFrancisco, n => Assert.StartsWith("+1415555", n.PhoneNumber.ToString(), StringComparison.Ordinal));
        Assert.Equal("San Francisco", sanFrancisco[0].Locality);
        Assert.True(sanFrancisco[0].Capabilities.Voice);
        Assert.All(texas, n => Assert.Equal("TX", n.Region));
        Assert.Equal(10, contains.Count);
        Assert.Empty(none);
    }

    [Fact]
    public async Task A_bought_number_leaves_the_inventory_can_be_updated_and_returns_when_released()
    {
        var bought = await IncomingPhoneNumberResource.CreateAsync(
            phoneNumber: new PhoneNumber("+14155550100"), friendlyName: "sales", client: _world.Twilio);
        var updated = await IncomingPhoneNumberResource.UpdateAsync(
            bought.Sid, voiceUrl: new Uri(SimulatorWorld.VoiceUrl), client: _world.Twilio);
        var listed = (await IncomingPhoneNumberResource.ReadAsync(client: _world.Twilio)).ToList();
        var searchAfterBuy = (await LocalResource.ReadAsync("US", areaCode: 415, client: _world.Twilio)).Count();
        var again = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.CreateAsync(
            phoneNumber: new PhoneNumber("+14155550100"), client: _world.Twilio));
        var released = await IncomingPhoneNumberResource.DeleteAsync(bought.Sid, client: _world.Twilio);
        var gone = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.FetchAsync(bought.Sid, client: _world.Twilio));

        Assert.Matches("^PN[0-9a-f]{32}$", bought.Sid);
        Assert.Equal("sales", bought.FriendlyName);
        Assert.Equal(new Uri(SimulatorWorld.VoiceUrl), updated.VoiceUrl);
        Assert.Equal(bought.Sid, Assert.Single(listed).Sid);
        Assert.Equal(19, searchAfterBuy);
        Assert.Equal(21422, again.Code);
        Assert.True(released);
        Assert.Equal(20404, gone.Code);
        Assert.Equal(20, (await LocalResource.ReadAsync("US", areaCode: 415, client: _world.Twilio)).Count());
    }

    [Fact]
    public async Task Buying_by_area_code_picks_an_available_number()
    {
        var bought = await IncomingPhoneNumberResource.CreateAsync(areaCode: "512", client: _world.Twilio);
        var none = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.CreateAsync(areaCode: "999", client: _world.Twilio));

        Assert.StartsWith("+1512", bought.PhoneNumber.ToString(), StringComparison.Ordinal);
        Assert.Equal(21452, none.Code);
    }

    [Fact]
    public async Task A_recorded_call_leaves_a_wav_recording_of_its_duration()
    {
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber("+15551230400"), from: new PhoneNumber(SimulatorWorld.From), url: new Uri(SimulatorWorld.VoiceUrl),
            record: true, recordingStatusCallback: CallbackReceiver.PublicBaseUrl + "/twilio/voice/recording", client: _world.Twilio);

        await _world.AdvanceAsync(TimeSpan.FromMinutes(2));

        var recording = Assert.Single(await RecordingResource.ReadAsync(callSid: call.Sid, client: _world.Twilio));
        Assert.Equal("20", recording.Duration);
        Assert.Equal(RecordingResource.StatusEnum.Completed, recording.Status);
        var callback = Assert.Single(_world.Receiver.Received, r => r.PathAndQuery == "/twilio/voice/recording");
        Assert.True(callback.SignatureValid);
        Assert.Equal((recording.Sid, "completed", "20"), (callback["RecordingSid"], callback["RecordingStatus"], callback["RecordingDuration"]));
        Assert.DoesNotContain(".", callback["RecordingUrl"].Split('/')[^1], StringComparison.Ordinal);

        using var http = _world.Host.CreateHttpClient();
        var wav = await http.GetByteArrayAsync(new Uri(callback["RecordingUrl"] + ".wav"), TestContext.Current.CancellationToken);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal("WAVE", System.Text.Encoding.ASCII.GetString(wav, 8, 4));
        Assert.Equal(44 + (20 * 8000 * 2), wav.Length);

        Assert.True(await RecordingResource.DeleteAsync(recording.Sid, client: _world.Twilio));
        var deleted = await Assert.ThrowsAsync<ApiException>(() => RecordingResource.FetchAsync(recording.Sid, client: _world.Twilio));
        Assert.Equal((20404, 404), (deleted.Code, deleted.Status));
    }
}
