using Microsoft.Extensions.Options;
using VoiceMesh.MediaStreams.Streaming;

namespace VoiceMesh.MediaStreams.Playback;

/// <summary>What became of a play or stop request.</summary>
internal enum PlaybackOutcome
{
    Accepted,

    /// <summary>This instance holds no open stream with that sid.</summary>
    NotHere,

    Invalid,

    /// <summary>32 clips are queued already.</summary>
    QueueFull,
}

/// <summary>PlayAudio and StopAudio, from the bus or the API, on a stream this instance holds open.</summary>
internal sealed class PlaybackCommands(StreamRegistry registry, IOptions<MediaStreamsOptions> options, IHostEnvironment environment)
{
    private readonly string _audioDirectory = Path.Combine(environment.ContentRootPath, options.Value.AudioDirectory);

    public (PlaybackOutcome Outcome, string? Problem) Play(string streamSid, string? clipId, double? toneHz, int? toneMs, string? file, bool bargeIn)
    {
        var (clip, problem) = ClipSource.Load(clipId, toneHz, toneMs, file, bargeIn, _audioDirectory);
        if (clip is null)
        {
            return (PlaybackOutcome.Invalid, problem);
        }

        if (registry.Player(streamSid) is not { } player)
        {
            return (PlaybackOutcome.NotHere, null);
        }

        return player.Enqueue(clip) ? (PlaybackOutcome.Accepted, null) : (PlaybackOutcome.QueueFull, null);
    }

    public async Task<PlaybackOutcome> Stop(string streamSid)
    {
        if (registry.Player(streamSid) is not { } player)
        {
            return PlaybackOutcome.NotHere;
        }

        await player.Interrupt(InterruptReason.Stopped, speechOffsetMs: null);
        return PlaybackOutcome.Accepted;
    }
}
