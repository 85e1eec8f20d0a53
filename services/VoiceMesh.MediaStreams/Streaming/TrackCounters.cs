using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>
/// Per-track statistics, counted as frames arrive (before any back-pressure drop, so they are exact over what was
/// sent): frames, missing chunks, timestamp jumps, late (reordered or repeated) frames, and RFC 3550 interarrival
/// jitter from arrival times against media timestamps.
/// </summary>
internal sealed class TrackCounters(MediaTrack track)
{
    private long _lastChunk = -1;
    private long _lastTimestampEndMs = -1;
    private double _lastTransitMs;
    private double _jitterMs;
    private long _dropped;

    public long Frames { get; private set; }

    /// <summary>The media timestamp of the last frame that arrived in order: where a DTMF digit falls.</summary>
    public long LastTimestampMs { get; private set; }

    /// <summary>When (ms on the service's clock) the last in-order frame arrived.</summary>
    public double LastArrivalMs { get; private set; }

    public long ChunkGaps { get; private set; }
    public long TimestampGaps { get; private set; }
    public long LateFrames { get; private set; }
    public long AudioMs { get; private set; }

    public void Dropped() => Interlocked.Increment(ref _dropped);

    public void Arrived(long chunk, long timestampMs, int bytes, double arrivalMs)
    {
        Frames++;
        var durationMs = bytes / 8;
        AudioMs += durationMs;
        if (_lastChunk >= 0 && chunk <= _lastChunk)
        {
            LateFrames++;
            return;
        }

        if (_lastChunk >= 0 && chunk > _lastChunk + 1)
        {
            ChunkGaps += chunk - _lastChunk - 1;
        }

        if (_lastTimestampEndMs >= 0 && timestampMs > _lastTimestampEndMs + durationMs)
        {
            TimestampGaps++;
        }

        var transit = arrivalMs - timestampMs;
        if (_lastChunk >= 0)
        {
            _jitterMs += (Math.Abs(transit - _lastTransitMs) - _jitterMs) / 16;
        }

        _lastTransitMs = transit;
        _lastChunk = chunk;
        _lastTimestampEndMs = timestampMs + durationMs;
        LastTimestampMs = timestampMs;
        LastArrivalMs = arrivalMs;
    }

    public TrackStatistics Snapshot() => new()
    {
        Track = track.ToWire(),
        Frames = Frames,
        DroppedFrames = Interlocked.Read(ref _dropped),
        ChunkGaps = ChunkGaps,
        TimestampGaps = TimestampGaps,
        LateFrames = LateFrames,
        JitterMs = Math.Round(_jitterMs, 3),
        AudioMs = AudioMs,
    };
}
