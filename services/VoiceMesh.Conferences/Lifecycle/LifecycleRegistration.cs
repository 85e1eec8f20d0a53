using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>The conference lifecycle: status and recording callbacks folded into one stream per ConferenceSid, served as the read model.</summary>
internal static class LifecycleRegistration
{
    public static IHostApplicationBuilder AddConferenceLifecycle(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<ConferenceEventReported>();
            opts.Events.AddEventType<ParticipantDialed>();
            opts.Events.AddEventType<ConferenceRecordingReported>();
            opts.Events.AddEventType<ConferenceActionRequested>();
            opts.Events.AddEventType<CallerIdReleaseRequested>();
            opts.Projections.Snapshot<Conference>(SnapshotLifecycle.Inline);
            opts.Schema.For<Conference>().Duplicate(c => c.FriendlyName).Duplicate(c => c.Status);
        });
        builder.Services.AddSingleton<ConferenceCallbackMetrics>();
        builder.Services.AddConsumers(x =>
        {
            x.AddByConference<ConferenceCallbackReceivedConsumer, ConferenceCallbackReceived>(m => m.ConferenceSid);
            x.AddConsumer<ConferenceRecordingCallbackConsumer>();
        });
        return builder;
    }

    /// <summary><c>GET /api/conferences/{conferenceSid}</c> and <c>GET /api/conferences?name=&amp;status=</c>.</summary>
    public static RouteGroupBuilder MapConferenceLifecycle(this RouteGroupBuilder conferences) => conferences.MapConferenceEndpoints();
}
