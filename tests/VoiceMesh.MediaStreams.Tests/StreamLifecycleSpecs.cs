using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class StreamLifecycleSpecs
{
    private const string StreamSid = "MZ0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private static readonly StreamOpened Opened = new(StreamSid, CallSid, "AC1", [MediaTrack.Inbound], new Dictionary<string, string>(), At);
    private static readonly StreamClosed Closed = new(StreamSid, CallSid, CloseReason.Stopped, [], 0, At);
    private static readonly StreamReported Reported = new(StreamSid, CallSid, null, TwilioStreamEvent.Started, null, At);

    [Fact]
    public void A_stream_opens_once_even_after_twilio_reported_it_first()
    {
        var reported = StreamLifecycle.Create(Reported);
        Assert.Equal(StreamStatus.Reported, reported.Status);

        Assert.Single(StreamLifecycle.Decide(reported, Opened).Events);
        Assert.Empty(StreamLifecycle.Decide(reported.Apply(Opened), Opened).Events);
    }

    [Fact]
    public void Nothing_the_socket_observed_is_appended_before_the_stream_opened_or_after_it_closed()
    {
        var speech = new SpeechBegan(StreamSid, MediaTrack.Inbound, 100, At);
        var open = StreamLifecycle.Create(Opened);

        Assert.Empty(StreamLifecycle.Decide(null, speech).Events);
        Assert.Single(StreamLifecycle.Decide(open, speech).Events);
        Assert.Empty(StreamLifecycle.Decide(open.Apply(Closed), speech).Events);
        Assert.Empty(StreamLifecycle.Decide(open.Apply(Closed), Closed).Events);
    }

    [Fact]
    public void A_refused_duplicate_is_closed_without_opening_and_twilio_reports_always_count()
    {
        var duplicate = Closed with { Reason = CloseReason.Duplicate };

        Assert.Single(StreamLifecycle.Decide(null, duplicate).Events);
        Assert.Empty(StreamLifecycle.Decide(StreamLifecycle.Create(Opened), duplicate).Events);
        Assert.Single(StreamLifecycle.Decide(StreamLifecycle.Create(Opened).Apply(Closed), Reported).Events);
    }

    [Fact]
    public void Speech_segments_are_closed_on_their_own_track()
    {
        var stream = StreamLifecycle.Create(Opened)
            .Apply(new SpeechBegan(StreamSid, MediaTrack.Inbound, 100, At))
            .Apply(new SpeechBegan(StreamSid, MediaTrack.Outbound, 150, At))
            .Apply(new SpeechEnded(StreamSid, MediaTrack.Inbound, 900, 800, At));

        Assert.Equal([new SpeechSegment(MediaTrack.Inbound, 100, 900), new SpeechSegment(MediaTrack.Outbound, 150, null)], stream.Speech);
    }
}
