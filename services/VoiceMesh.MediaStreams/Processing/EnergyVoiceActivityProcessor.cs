using VoiceMesh.MediaStreams.Audio;
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
internal sealed class EnergyVoiceActivityProcessor : IMediaProcessor
{
    private readonly SpeechHysteresis[] _tracks;
    private readonly VoiceActivityOptions _options;

    public EnergyVoiceActivityProcessor(StreamContext stream, IStreamObserver observer, VoiceActivityOptions options, TimeProvider clock)
    {
        _options = options;
        _tracks = [.. Enum.GetValues<MediaTrack>().Select(t => new SpeechHysteresis(stream, t, observer, options.StartFrames, options.StopFrames, options.DeadAir, clock))];
    }

    public ValueTask Process(MediaTrack track, long timestampMs, ReadOnlySpan<short> pcm, ReadOnlySpan<byte> muLaw)
    {
        var level = AudioLevel.Dbfs(pcm);
        _tracks[(int)track].Step(timestampMs, Math.Max(1, pcm.Length / 8), level >= _options.StartDbfs, level < _options.StopDbfs);
        return ValueTask.CompletedTask;
    }

    public void Complete()
    {
        foreach (var track in _tracks)
        {
            track.Complete();
        }
    }
}
