using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Playback;

/// <summary>Bidirectional audio: PlayAudio/StopAudio (bus and API), real-time pacing, marks, clear and barge-in.</summary>
internal static class PlaybackRegistration
{
    public static IHostApplicationBuilder AddMediaPlayback(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PlaybackCommands>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<ClipPlayed>();
            opts.Events.AddEventType<ClipInterrupted>();
        });
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<PlayAudioConsumer>();
            x.AddConsumer<StopAudioConsumer>();
        });
        return builder;
    }

    /// <summary><c>POST /api/media-streams/{streamSid}/play</c> and <c>/stop</c>.</summary>
    public static RouteGroupBuilder MapMediaPlayback(this RouteGroupBuilder streams) => streams.MapPlaybackEndpoints();
}
