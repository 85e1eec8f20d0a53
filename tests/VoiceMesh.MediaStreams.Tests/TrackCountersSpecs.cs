using VoiceMesh.MediaStreams.Protocol;
using VoiceMesh.MediaStreams.Streaming;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class TrackCountersSpecs
{
    [Fact]
    public void Missing_chunks_timestamp_jumps_and_late_frames_are_counted_exactly()
    {
        var counters = new TrackCounters(MediaTrack.Inbound);
        counters.Arrived(1, 0, 160, 100);
        counters.Arrived(2, 20, 160, 120);
        counters.Arrived(5, 80, 160, 180);   // chunks 3 and 4 never came; the timestamp jumps 40 ms
        counters.Arrived(4, 60, 160, 185);   // late: after chunk 5
        counters.Arrived(6, 100, 160, 200);
        counters.Dropped();

        var statistics = counters.Snapshot();
        Assert.Equal("inbound", statistics.Track);
        Assert.Equal(5, statistics.Frames);
        Assert.Equal(2, statistics.ChunkGaps);
        Assert.Equal(1, statistics.TimestampGaps);
        Assert.Equal(1, statistics.LateFrames);
        Assert.Equal(1, statistics.DroppedFrames);
        Assert.Equal(100, statistics.AudioMs);
        Assert.Equal(100, counters.LastTimestampMs);
    }

    [Fact]
    public void Frames_arriving_exactly_on_their_timestamps_have_no_jitter_and_uneven_ones_do()
    {
        var even = new TrackCounters(MediaTrack.Inbound);
        var uneven = new TrackCounters(MediaTrack.Inbound);
        for (var i = 0; i < 50; i++)
        {
            even.Arrived(i + 1, i * 20, 160, 1000 + (i * 20));
            uneven.Arrived(i + 1, i * 20, 160, 1000 + (i * 20) + (i % 2 == 0 ? 0 : 10));
        }

        Assert.Equal(0, even.Snapshot().JitterMs);
        Assert.InRange(uneven.Snapshot().JitterMs, 8, 10);
    }
}
