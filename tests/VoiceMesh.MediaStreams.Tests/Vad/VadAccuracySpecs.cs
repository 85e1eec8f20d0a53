using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.MediaStreams.Processing;

namespace VoiceMesh.MediaStreams.Tests.Vad;

/// <summary>
/// Neural against energy VAD on espeak-ng speech in white noise, mu-law encoded, scored per 20 ms frame against labels
/// from the clean speech (<see cref="LabelledSpeech"/>). Needs espeak-ng and the model: deploy/local/install.sh.
/// </summary>
public sealed class VadAccuracySpecs(VadAccuracySpecs.Clip clip, ITestOutputHelper output) : IClassFixture<VadAccuracySpecs.Clip>
{
    [Fact]
    public async Task The_neural_VAD_beats_the_energy_VAD_at_0_dB_SNR()
    {
        var (energy, silero) = await clip.Compare(0);
        output.WriteLine($"0 dB SNR: energy {energy}; silero {silero}");

        Assert.True(silero.F1 > energy.F1, $"0 dB SNR: silero {silero}, energy {energy}");
    }

    [Fact]
    public async Task The_neural_VAD_finds_speech_in_noise_at_10_dB_SNR()
    {
        var (energy, silero) = await clip.Compare(10);
        output.WriteLine($"10 dB SNR: energy {energy}; silero {silero}");

        Assert.True(silero.F1 >= 0.85 && silero.F1 > energy.F1, $"10 dB SNR: silero {silero}, energy {energy}");
    }

    [Fact]
    public async Task On_clean_speech_both_VADs_agree_with_the_labels()
    {
        var (energy, silero) = await clip.Compare(60);
        output.WriteLine($"clean: energy {energy}; silero {silero}");

        Assert.True(energy.F1 >= 0.85 && silero.F1 >= 0.85, $"clean: silero {silero}, energy {energy}");
    }

    /// <summary>The generated clip and the shared model, once for the class.</summary>
    public sealed class Clip : IAsyncLifetime
    {
        private readonly SileroModel _model = new(Options.Create(new MediaStreamsOptions()), NullLogger<SileroModel>.Instance);
        private LabelledSpeech? _speech;

        /// <summary>The clean clip and its labels.</summary>
        internal LabelledSpeech Speech => _speech ?? throw new InvalidOperationException("The clip is made when the class starts.");

        public async ValueTask InitializeAsync() => _speech = await LabelledSpeech.Generate(TestContext.Current.CancellationToken);

        public async Task<(VadScore Energy, VadScore Silero)> Compare(double snrDb)
        {
            var batcher = _model.Batcher ?? throw new InvalidOperationException("The Silero VAD model is missing from the build output: run deploy/local/install.sh, then build.");
            var muLaw = _speech!.MuLawWithNoise(snrDb, seed: 7);
            var options = new MediaStreamsOptions();
            var energy = await _speech.Score((stream, observer) => new EnergyVoiceActivityProcessor(stream, observer, options.VoiceActivity, new FakeTimeProvider()), muLaw);
            var silero = await _speech.Score((stream, observer) => Silero(stream, observer, batcher, options), muLaw);
            return (energy, silero);
        }

        public ValueTask DisposeAsync()
        {
            _model.Dispose();
            return ValueTask.CompletedTask;
        }

        private static SileroVoiceActivityProcessor Silero(StreamContext stream, IStreamObserver observer, SileroBatcher batcher, MediaStreamsOptions options) =>
            new(stream, observer, batcher, options.Silero, options.VoiceActivity.DeadAir, new FakeTimeProvider());
    }
}
