using Microsoft.Extensions.Options;
using VoiceMesh.MediaStreams.Audio;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// Energy-based voice activity detection with hysteresis on level and time, per track: speech starts after
/// <see cref="VoiceActivityOptions.StartFrames"/> frames at or above <see cref="VoiceActivityOptions.StartDbfs"/> and is
/// dated at the first of them; it stops after <see cref="VoiceActivityOptions.StopFrames"/> frames below
/// <see cref="VoiceActivityOptions.StopDbfs"/>, dated at the first quiet one. No speech for
/// <see cref="VoiceActivityOptions.DeadAir"/> reports dead air once per silent stretch. Offsets are Twilio's media
/// timestamps, so they do not depend on when frames arrived.
/// </summary>
internal sealed class EnergyVoiceActivityProcessor(StreamContext stream, IStreamObserver observer, VoiceActivityOptions options, TimeProvider clock)
    : IMediaProcessor
{
    private readonly TrackState[] _tracks = [new(), new()];

    public void Process(MediaTrack track, long timestampMs, ReadOnlySpan<short> pcm, ReadOnlySpan<byte> muLaw)
    {
        var state = _tracks[(int)track];
        var frameMs = Math.Max(1, pcm.Length / 8);
        state.SilenceSince ??= timestampMs;
        state.LastEndMs = timestampMs + frameMs;
        var level = AudioLevel.Dbfs(pcm);
        if (!state.Speaking)
        {
            if (level >= options.StartDbfs)
            {
                state.RunStartMs = state.Run == 0 ? timestampMs : state.RunStartMs;
                if (++state.Run >= options.StartFrames)
                {
                    state.Speaking = true;
                    state.SpeechStartMs = state.RunStartMs;
                    state.Run = 0;
                    state.SilenceSince = null;
                    state.DeadAirReported = false;
                    observer.Observe(new SpeechBegan(stream.StreamSid, track, state.SpeechStartMs, clock.GetUtcNow()));
                }
            }
            else
            {
                state.Run = 0;
                var silentFor = state.LastEndMs - state.SilenceSince!.Value;
                if (!state.DeadAirReported && silentFor >= (long)options.DeadAir.TotalMilliseconds)
                {
                    state.DeadAirReported = true;
                    observer.Observe(new DeadAir(stream.StreamSid, track, state.SilenceSince.Value, silentFor, clock.GetUtcNow()));
                }
            }

            return;
        }

        if (level < options.StopDbfs)
        {
            state.RunStartMs = state.Run == 0 ? timestampMs : state.RunStartMs;
            if (++state.Run >= options.StopFrames)
            {
                Stop(track, state, state.RunStartMs);
            }
        }
        else
        {
            state.Run = 0;
        }
    }

    public void Complete()
    {
        for (var track = 0; track < _tracks.Length; track++)
        {
            var state = _tracks[track];
            if (state.Speaking)
            {
                Stop((MediaTrack)track, state, state.Run > 0 ? state.RunStartMs : state.LastEndMs);
            }
        }
    }

    private void Stop(MediaTrack track, TrackState state, long atMs)
    {
        state.Speaking = false;
        state.Run = 0;
        state.SilenceSince = atMs;
        observer.Observe(new SpeechEnded(stream.StreamSid, track, atMs, atMs - state.SpeechStartMs, clock.GetUtcNow()));
    }

    private sealed class TrackState
    {
        public bool Speaking;
        public int Run;
        public long RunStartMs;
        public long SpeechStartMs;
        public long LastEndMs;
        public long? SilenceSince;
        public bool DeadAirReported;
    }
}

/// <summary>The energy VAD for every stream (the default, and the fallback of any other VAD).</summary>
internal sealed class EnergyVoiceActivityFactory(IOptions<MediaStreamsOptions> options, TimeProvider clock) : IMediaProcessorFactory
{
    public IMediaProcessor Create(StreamContext stream, IStreamObserver observer) =>
        new EnergyVoiceActivityProcessor(stream, observer, options.Value.VoiceActivity, clock);
}
