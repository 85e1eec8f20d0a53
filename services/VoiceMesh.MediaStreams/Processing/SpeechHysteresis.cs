using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// The speech decision of one track from a VAD's per-step verdicts (an energy VAD's 20 ms frames, a neural VAD's
/// 32 ms chunks): speech starts after <c>startSteps</c> speech-like steps in a row and is dated at the first of them;
/// it stops after <c>stopSteps</c> silence-like steps in a row, dated at the first of them; a step that is neither
/// changes nothing while speaking. No speech for <c>deadAir</c> reports dead air once per silent stretch.
/// </summary>
internal sealed class SpeechHysteresis(
    StreamContext stream, MediaTrack track, IStreamObserver observer, int startSteps, int stopSteps, TimeSpan deadAir, TimeProvider clock)
{
    private bool _speaking;
    private int _run;
    private long _runStartMs;
    private long _speechStartMs;
    private long _lastEndMs;
    private long? _silenceSince;
    private bool _deadAirReported;

    /// <summary>One step starting at <paramref name="timestampMs"/> (media time) and lasting <paramref name="durationMs"/>.</summary>
    public void Step(long timestampMs, long durationMs, bool speechLike, bool silenceLike)
    {
        _silenceSince ??= timestampMs;
        _lastEndMs = timestampMs + durationMs;
        if (!_speaking)
        {
            if (speechLike)
            {
                _runStartMs = _run == 0 ? timestampMs : _runStartMs;
                if (++_run >= startSteps)
                {
                    _speaking = true;
                    _speechStartMs = _runStartMs;
                    _run = 0;
                    _silenceSince = null;
                    _deadAirReported = false;
                    observer.Observe(new SpeechBegan(stream.StreamSid, track, _speechStartMs, clock.GetUtcNow()));
                }
            }
            else
            {
                _run = 0;
                var silentFor = _lastEndMs - _silenceSince!.Value;
                if (!_deadAirReported && silentFor >= (long)deadAir.TotalMilliseconds)
                {
                    _deadAirReported = true;
                    observer.Observe(new DeadAir(stream.StreamSid, track, _silenceSince.Value, silentFor, clock.GetUtcNow()));
                }
            }

            return;
        }

        if (silenceLike)
        {
            _runStartMs = _run == 0 ? timestampMs : _runStartMs;
            if (++_run >= stopSteps)
            {
                Stop(_runStartMs);
            }
        }
        else
        {
            _run = 0;
        }
    }

    /// <summary>The stream ended: speech still going stops at the first quiet step, or at the end of the last one.</summary>
    public void Complete()
    {
        if (_speaking)
        {
            Stop(_run > 0 ? _runStartMs : _lastEndMs);
        }
    }

    private void Stop(long atMs)
    {
        _speaking = false;
        _run = 0;
        _silenceSince = atMs;
        observer.Observe(new SpeechEnded(stream.StreamSid, track, atMs, atMs - _speechStartMs, clock.GetUtcNow()));
    }
}
