using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class RecordingsRestSpecs : IAsyncLifetime
{
    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

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
