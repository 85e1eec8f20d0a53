using MassTransit;
using VoiceMesh.Contracts.MediaStreams;

namespace VoiceMesh.MediaStreams.Playback;

/// <summary>Plays a clip on a stream this instance holds; a clip for a stream held elsewhere or closed is logged and dropped.</summary>
internal sealed partial class PlayAudioConsumer(PlaybackCommands playback, ILogger<PlayAudioConsumer> logger) : IConsumer<PlayAudio>
{
    public Task Consume(ConsumeContext<PlayAudio> context)
    {
        var command = context.Message;
        var (outcome, problem) = playback.Play(command.StreamSid, command.ClipId, command.ToneHz, command.ToneMs, command.File, command.BargeIn);
        if (outcome != PlaybackOutcome.Accepted)
        {
            LogNotPlayed(command.StreamSid, command.ClipId, outcome.ToString(), problem);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clip {ClipId} not played on stream {StreamSid}: {Outcome} {Problem}")]
    private partial void LogNotPlayed(string streamSid, string clipId, string outcome, string? problem);
}

/// <summary>Stops playback on a stream this instance holds.</summary>
internal sealed partial class StopAudioConsumer(PlaybackCommands playback, ILogger<StopAudioConsumer> logger) : IConsumer<StopAudio>
{
    public async Task Consume(ConsumeContext<StopAudio> context)
    {
        if (await playback.Stop(context.Message.StreamSid) != PlaybackOutcome.Accepted)
        {
            LogNotHere(context.Message.StreamSid);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "StopAudio for stream {StreamSid}, which is not open here")]
    private partial void LogNotHere(string streamSid);
}
