using System.Diagnostics.Metrics;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>
/// Live-stream counters: open connections, frames, drops, malformed messages and per-frame processing latency (as an
/// OpenTelemetry histogram, and in 0.1 ms buckets up to 100 ms this instance reports itself for load tests), and the
/// neural VAD's inferences and the chunks they judged (their ratio is the mean batch).
/// </summary>
internal sealed class MediaStreamsMetrics
{
    private const int Buckets = 1001;
    private readonly long[] _latencyBuckets = new long[Buckets];
    private readonly Counter<long> _frames;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _malformed;
    private readonly Histogram<double> _latency;
    private long _droppedFrames;

    public MediaStreamsMetrics(IMeterFactory meterFactory, StreamRegistry registry, SileroModel silero)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        meter.CreateObservableCounter("voicemesh.mediastreams.vad.inferences", () => silero.Counts.Inferences, "{inference}", "Silero VAD inferences run, each a batch of chunks of different streams.");
        meter.CreateObservableCounter("voicemesh.mediastreams.vad.chunks", () => silero.Counts.Chunks, "{chunk}", "32 ms chunks the Silero VAD judged.");
        meter.CreateObservableGauge("voicemesh.mediastreams.connections", () => registry.Connections, "{connection}", "Media Streams WebSockets open.");
        _frames = meter.CreateCounter<long>("voicemesh.mediastreams.frames", "{frame}", "Media frames received.");
        _dropped = meter.CreateCounter<long>("voicemesh.mediastreams.frames.dropped", "{frame}", "Frames dropped because a stream's processing fell behind.");
        _malformed = meter.CreateCounter<long>("voicemesh.mediastreams.messages.malformed", "{message}", "Messages that were not valid JSON or not a known event.");
        _latency = meter.CreateHistogram<double>("voicemesh.mediastreams.frame.latency", "ms", "From a frame's arrival to the end of its processing.");
    }

    public void Frame() => _frames.Add(1);

    /// <summary>Frames dropped since start, on every stream.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    public void Dropped()
    {
        _dropped.Add(1);
        Interlocked.Increment(ref _droppedFrames);
    }

    public void Malformed() => _malformed.Add(1);

    public void Processed(double milliseconds)
    {
        _latency.Record(milliseconds);
        Interlocked.Increment(ref _latencyBuckets[Math.Clamp((int)(milliseconds * 10), 0, Buckets - 1)]);
    }

    /// <summary>How many frames since start took each latency (the non-empty 0.1 ms buckets, by their upper bound), for a load test's window.</summary>
    public IReadOnlyList<LatencyCount> LatencyCounts()
    {
        var counts = new List<LatencyCount>();
        for (var i = 0; i < Buckets; i++)
        {
            if (Volatile.Read(ref _latencyBuckets[i]) is > 0 and var frames)
            {
                counts.Add(new LatencyCount((i + 1) / 10.0, frames));
            }
        }

        return counts;
    }

    /// <summary>The frames counted and the latency (ms, to 0.1 ms; 100 means at least 100) the given share of them stayed within.</summary>
    public static (long Frames, double Percentile) Percentile(IReadOnlyList<LatencyCount> counts, double share)
    {
        var total = counts.Sum(c => c.Frames);
        var wanted = (long)Math.Ceiling(total * share);
        long seen = 0;
        foreach (var count in counts)
        {
            seen += count.Frames;
            if (seen >= wanted && total > 0)
            {
                return (total, count.UpToMs);
            }
        }

        return (total, 0);
    }
}

/// <summary>Frames whose processing took at most <see cref="UpToMs"/> (and more than the bucket before).</summary>
public sealed record LatencyCount(double UpToMs, long Frames);
