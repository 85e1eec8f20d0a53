using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Tests.Vad;

public sealed class VoiceActivityFactorySpecs
{
    private static readonly IStreamObserver Nobody = new Ignoring();

    [Fact]
    public async Task A_stream_runs_the_energy_VAD_unless_its_Stream_parameter_or_the_options_name_the_neural_one()
    {
        using var model = new SileroModel(Options.Create(new MediaStreamsOptions()), NullLogger<SileroModel>.Instance);
        var factory = Factory(new MediaStreamsOptions(), model);
        var configured = Factory(new MediaStreamsOptions { Vad = VadKind.Silero }, model);

        Assert.IsType<EnergyVoiceActivityProcessor>(factory.Create(Stream(), Nobody));
        Assert.IsType<EnergyVoiceActivityProcessor>(factory.Create(Stream("nonsense"), Nobody));
        Assert.IsType<EnergyVoiceActivityProcessor>(configured.Create(Stream("Energy"), Nobody));
        Assert.IsType<SileroVoiceActivityProcessor>(factory.Create(Stream("silero"), Nobody));
        Assert.IsType<SileroVoiceActivityProcessor>(configured.Create(Stream(), Nobody));
    }

    [Fact]
    public async Task Without_its_model_the_neural_VAD_falls_back_to_the_energy_VAD_and_says_so_once()
    {
        var options = new MediaStreamsOptions { Vad = VadKind.Silero, Silero = { ModelPath = "absent/silero_vad.onnx" } };
        var logger = new CountingLogger();
        using var model = new SileroModel(Options.Create(options), logger);
        var factory = Factory(options, model);

        Assert.IsType<EnergyVoiceActivityProcessor>(factory.Create(Stream(), Nobody));
        Assert.IsType<EnergyVoiceActivityProcessor>(factory.Create(Stream("silero"), Nobody));
        Assert.Equal(1, logger.Warnings);
    }

    private static VoiceActivityFactory Factory(MediaStreamsOptions options, SileroModel model) =>
        new(Options.Create(options), model, new FakeTimeProvider(), NullLogger<VoiceActivityFactory>.Instance);

    private static StreamContext Stream(string? vad = null) =>
        new("MZ00000000000000000000000000000000", "CA00000000000000000000000000000000", [MediaTrack.Inbound],
            vad is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [VoiceActivityFactory.Parameter] = vad });

    private sealed class Ignoring : IStreamObserver
    {
        public void Observe(object observed)
        {
        }
    }

    private sealed class CountingLogger : ILogger<SileroModel>
    {
        public int Warnings { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings++;
            }
        }
    }
}
