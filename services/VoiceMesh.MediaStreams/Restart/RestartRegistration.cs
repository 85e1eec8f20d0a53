using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Restart;

/// <summary>
/// Streams that survive: a one-way stream whose socket drops (no <c>stop</c>) while its call is live is restarted
/// through Twilio's Streams REST resource, from the event store (<c>RestartStreamAfterDrop</c> by the outbox), the gap recorded.
/// </summary>
internal static class RestartRegistration
{
    public static IHostApplicationBuilder AddStreamRestart(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StreamRestartOptions>();
        builder.Services.AddTwilioClient();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<StreamRestartRequested>();
            opts.Events.AddEventType<StreamRestarted>();
            opts.Events.AddEventType<StreamRestartSkipped>();
        });
        builder.Services.AddConsumers(x => x.AddConsumer<RestartStreamAfterDropConsumer>());
        return builder;
    }

    /// <summary>The Streams create's <c>Track</c> for a stream's tracks.</summary>
    public static string TrackOf(IReadOnlyList<Protocol.MediaTrack> tracks) => tracks switch
    {
        [Protocol.MediaTrack.Outbound] => "outbound_track",
        { Count: 2 } => "both_tracks",
        _ => "inbound_track",
    };
}
