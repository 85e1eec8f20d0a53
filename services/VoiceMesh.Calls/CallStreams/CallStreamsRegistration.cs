using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallStreams;

/// <summary>
/// The call's Media Streams: MediaStreamStarted, MediaStreamStopped and MediaStreamRestarted (from the MediaStreams
/// service) recorded on the call's stream, served as <c>streams</c> and <c>streamGaps</c> in <c>GET /api/calls/{callSid}</c>.
/// </summary>
internal static class CallStreamsRegistration
{
    public static IHostApplicationBuilder AddCallStreams(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<CallStreamStarted>();
            opts.Events.AddEventType<CallStreamStopped>();
            opts.Events.AddEventType<CallStreamRestarted>();
        });
        builder.Services.AddSingleton<CallStreamRecorder>();
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<MediaStreamStartedConsumer>();
            x.AddConsumer<MediaStreamStoppedConsumer>();
            x.AddConsumer<MediaStreamRestartedConsumer>();
        });
        return builder;
    }
}
