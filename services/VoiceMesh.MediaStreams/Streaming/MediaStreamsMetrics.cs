using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>Live-stream counters: open connections, frames, drops, malformed messages and per-frame processing latency.</summary>
internal sealed class MediaStreamsMetrics
{
    private readonly Counter<long> _frames;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _malformed;
    private readonly Histogram<double> _latency;

    public MediaStreamsMetrics(IMeterFactory meterFactory, StreamRegistry registry)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        meter.CreateObservableGauge("voicemesh.mediastreams.connections", () => registry.Connections, "{connection}", "Media Streams WebSockets open.");
        _frames = meter.CreateCounter<long>("voicemesh.mediastreams.frames", "{frame}", "Media frames received.");
        _dropped = meter.CreateCounter<long>("voicemesh.mediastreams.frames.dropped", "{frame}", "Frames dropped because a stream's processing fell behind.");
        _malformed = meter.CreateCounter<long>("voicemesh.mediastreams.messages.malformed", "{message}", "Messages that were not valid JSON or not a known event.");
        _latency = meter.CreateHistogram<double>("voicemesh.mediastreams.frame.latency", "ms", "From a frame's arrival to the end of its processing.");
    }

    public void Frame() => _frames.Add(1);

    public void Dropped() => _dropped.Add(1);

    public void Malformed() => _malformed.Add(1);

    public void Processed(double milliseconds) => _latency.Record(milliseconds);
}
