using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Control;

/// <summary>The moderator's controls: commands decided on the conference's stream, performed at Twilio from the outbox.</summary>
internal static class ControlRegistration
{
    public static IHostApplicationBuilder AddConferenceControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ControlCommands>();
        builder.Services.AddScoped<TwilioConferenceControl>();
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<MuteParticipantConsumer>();
            x.AddConsumer<UnmuteParticipantConsumer>();
            x.AddConsumer<HoldParticipantConsumer>();
            x.AddConsumer<UnholdParticipantConsumer>();
            x.AddConsumer<CoachParticipantConsumer>();
            x.AddConsumer<RemoveParticipantConsumer>();
            x.AddConsumer<AnnounceToConferenceConsumer>();
            x.AddConsumer<EndConferenceConsumer>();
            x.AddConsumer<ApplyParticipantChangeConsumer>();
            x.AddConsumer<KickParticipantConsumer>();
            x.AddConsumer<CompleteConferenceConsumer>();
            x.AddConsumer<PlayConferenceAnnouncementConsumer>();
        });
        return builder;
    }

    /// <summary>The participant controls and <c>/announce</c>, <c>/end</c> under <c>/api/conferences/{conferenceSid}</c>.</summary>
    public static RouteGroupBuilder MapConferenceControl(this RouteGroupBuilder conferences) => conferences.MapControlEndpoints();
}
