using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Streaming;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Tests;

/// <summary>The live-stream instruments for a scripted stretch of traffic, read as an exporter reads them.</summary>
public sealed class MediaStreamsMetricsSpecs : IDisposable
{
    private readonly ServiceProvider _provider = new ServiceCollection()
        .AddMetrics().AddLogging().AddSingleton(Options.Create(new MediaStreamsOptions()))
        .AddSingleton<StreamRegistry>().AddSingleton<SileroModel>().AddSingleton<MediaStreamsMetrics>().BuildServiceProvider();

    private IMeterFactory Meters => _provider.GetRequiredService<IMeterFactory>();

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void Connections_frames_drops_malformed_messages_and_latency_read_what_happened()
    {
        using var connections = new MetricCollector<int>(Meters, VoiceMeshTelemetry.Name, "voicemesh.mediastreams.connections");
        using var frames = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.mediastreams.frames");
        using var dropped = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.mediastreams.frames.dropped");
        using var malformed = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.mediastreams.messages.malformed");
        using var latency = new MetricCollector<double>(Meters, VoiceMeshTelemetry.Name, "voicemesh.mediastreams.frame.latency");
        var registry = _provider.GetRequiredService<StreamRegistry>();
        var metrics = _provider.GetRequiredService<MediaStreamsMetrics>();

        registry.Connected();
        registry.Connected();
        registry.Connected();
        registry.Disconnected();
        for (var i = 0; i < 5; i++)
        {
            metrics.Frame();
        }

        metrics.Dropped();
        metrics.Malformed();
        metrics.Processed(1.0);
        metrics.Processed(2.5);
        metrics.Processed(4.0);
        connections.RecordObservableInstruments();

        Assert.Equal(2, connections.LastMeasurement!.Value);
        Assert.Equal(5, frames.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, dropped.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, metrics.DroppedFrames);
        Assert.Equal(1, malformed.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal([1.0, 2.5, 4.0], latency.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal((3L, 2.6), MediaStreamsMetrics.Percentile(metrics.LatencyCounts(), 0.5));
        Assert.Equal([new LatencyCount(1.1, 1), new LatencyCount(2.6, 1), new LatencyCount(4.1, 1)], metrics.LatencyCounts());
    }

    [Fact]
    public async Task The_neural_VADs_inferences_and_chunks_count_what_its_batcher_ran_and_nothing_before_a_stream_asked_for_it()
    {
        using var inferences = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.mediastreams.vad.inferences");
        using var chunks = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.mediastreams.vad.chunks");
        _provider.GetRequiredService<MediaStreamsMetrics>();
        var silero = _provider.GetRequiredService<SileroModel>();

        inferences.RecordObservableInstruments();
        Assert.Equal(0, inferences.LastMeasurement!.Value);
        var batcher = silero.Batcher ?? throw new InvalidOperationException("The Silero VAD model is missing from the build output: run deploy/local/install.sh, then build.");
        var streams = Enumerable.Range(0, 3).Select(_ => new SileroStream(batcher)).ToList();
        foreach (var stream in streams)
        {
            await stream.Predict();
            await stream.Predict();
        }

        inferences.RecordObservableInstruments();
        chunks.RecordObservableInstruments();

        Assert.Equal(6, chunks.LastMeasurement!.Value);
        Assert.Equal(batcher.Runs, inferences.LastMeasurement!.Value);
        Assert.InRange(inferences.LastMeasurement.Value, 1, 6);
    }

    [Fact]
    public void The_percentiles_of_a_window_are_taken_from_the_frames_counted_in_it()
    {
        IReadOnlyList<LatencyCount> window = [new(0.3, 970), new(5.0, 20), new(25.1, 10)];

        Assert.Equal((1000L, 0.3), MediaStreamsMetrics.Percentile(window, 0.5));
        Assert.Equal((1000L, 5.0), MediaStreamsMetrics.Percentile(window, 0.99));
        Assert.Equal((1000L, 25.1), MediaStreamsMetrics.Percentile(window, 0.999));
        Assert.Equal((0L, 0.0), MediaStreamsMetrics.Percentile([], 0.99));
    }
}
