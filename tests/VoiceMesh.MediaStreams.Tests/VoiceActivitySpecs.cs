using Microsoft.Extensions.Time.Testing;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class VoiceActivitySpecs
{
    private const string StreamSid = "MZ0123456789abcdef0123456789abcdef";
    private readonly List<object> _observed = [];
    private readonly EnergyVoiceActivityProcessor _vad;
    private long _timestampMs;

    public VoiceActivitySpecs()
    {
        var stream = new StreamContext(StreamSid, "CA0123456789abcdef0123456789abcdef", [MediaTrack.Inbound], new Dictionary<string, string>());
        _vad = new EnergyVoiceActivityProcessor(stream, new Observer(_observed), new VoiceActivityOptions { DeadAir = TimeSpan.FromSeconds(2) }, new FakeTimeProvider());
    }

    private sealed class Observer(List<object> observed) : IStreamObserver
    {
        public void Observe(object e) => observed.Add(e);
    }

    /// <summary>The energy VAD decides within the call: its frame is processed when it returns.</summary>
    private static void Synchronous(ValueTask processing) => Assert.True(processing.IsCompletedSuccessfully);

    /// <summary>Frames of 20 ms: a 440 Hz tone at <paramref name="amplitude"/> (0 = digital silence).</summary>
    private void Frames(int count, double amplitude)
    {
        var pcm = new short[160];
        for (var f = 0; f < count; f++)
        {
            for (var i = 0; i < pcm.Length; i++)
            {
                pcm[i] = (short)(amplitude * Math.Sin(2 * Math.PI * 440 * (_timestampMs * 8 + i) / 8000.0));
            }

            Synchronous(_vad.Process(MediaTrack.Inbound, _timestampMs, pcm, []));
            _timestampMs += 20;
        }
    }

    [Fact]
    public void Speech_is_dated_at_its_first_loud_frame_and_its_first_quiet_frame()
    {
        Frames(25, 0);
        Frames(40, 8000);
        Frames(25, 0);

        var at = new FakeTimeProvider().GetUtcNow();
        Assert.Equal([new SpeechBegan(StreamSid, MediaTrack.Inbound, 500, at), new SpeechEnded(StreamSid, MediaTrack.Inbound, 1300, 800, at)],
            _observed.Where(e => e is SpeechBegan or SpeechEnded).ToList());
    }

    [Fact]
    public void A_click_shorter_than_the_start_frames_is_not_speech()
    {
        Frames(10, 0);
        Frames(2, 8000);
        Frames(10, 0);

        Assert.DoesNotContain(_observed, e => e is SpeechBegan);
    }

    [Fact]
    public void A_pause_shorter_than_the_stop_frames_does_not_end_speech()
    {
        Frames(10, 8000);
        Frames(10, 0);
        Frames(10, 8000);
        Frames(20, 0);

        Assert.Single(_observed.OfType<SpeechBegan>());
        Assert.Equal(600, Assert.Single(_observed.OfType<SpeechEnded>()).OffsetMs);
    }

    [Fact]
    public void Levels_between_the_two_thresholds_keep_speech_going_but_never_start_it()
    {
        const double between = 32768 * 0.0141 * 1.41; // about -37 dBFS RMS: under StartDbfs (-35), over StopDbfs (-45)
        Frames(20, between);
        Assert.DoesNotContain(_observed, e => e is SpeechBegan);

        Frames(5, 8000);
        Frames(30, between);
        Assert.DoesNotContain(_observed, e => e is SpeechEnded);
    }

    [Fact]
    public void Dead_air_is_reported_once_per_silent_stretch_and_again_after_speech()
    {
        Frames(250, 0);
        var first = Assert.Single(_observed.OfType<DeadAir>());
        Assert.Equal(0, first.SinceOffsetMs);
        Assert.Equal(2000, first.DurationMs);

        Frames(10, 8000);
        Frames(150, 0);
        Assert.Equal(2, _observed.OfType<DeadAir>().Count());
        Assert.Equal(5200, _observed.OfType<DeadAir>().Last().SinceOffsetMs);
    }

    [Fact]
    public void Speech_still_going_when_the_stream_ends_is_ended_at_the_last_frame()
    {
        Frames(10, 8000);
        _vad.Complete();

        Assert.Equal(200, Assert.Single(_observed.OfType<SpeechEnded>()).OffsetMs);
    }
}
