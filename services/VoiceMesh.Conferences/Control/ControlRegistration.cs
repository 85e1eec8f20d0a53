using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Control;

/// <summary>
/// The moderator's controls: commands decided on the conference's stream and performed at Twilio right after the
/// commit, the outbox's copies as the guarantee; all in their conference's partition (<see cref="ConferencePartitions"/>).
/// </summary>
internal static class ControlRegistration
{
    public static IHostApplicationBuilder AddConferenceControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ControlCommands>();
        builder.Services.AddScoped<TwilioConferenceControl>();
        builder.Services.AddConsumers(x =>
        {
            x.AddByConference<MuteParticipantConsumer, MuteParticipant>(m => m.ConferenceSid);
            x.AddByConference<UnmuteParticipantConsumer, UnmuteParticipant>(m => m.ConferenceSid);
            x.AddByConference<HoldParticipantConsumer, HoldParticipant>(m => m.ConferenceSid);
            x.AddByConference<UnholdParticipantConsumer, UnholdParticipant>(m => m.ConferenceSid);
            x.AddByConference<CoachParticipantConsumer, CoachParticipant>(m => m.ConferenceSid);
            x.AddByConference<RemoveParticipantConsumer, RemoveParticipant>(m => m.ConferenceSid);
            x.AddByConference<AnnounceToConferenceConsumer, AnnounceToConference>(m => m.ConferenceSid);
            x.AddByConference<EndConferenceConsumer, EndConference>(m => m.ConferenceSid);
            x.AddByConference<ApplyParticipantChangeConsumer, ApplyParticipantChange>(m => m.ConferenceSid);
            x.AddByConference<KickParticipantConsumer, KickParticipant>(m => m.ConferenceSid);
            x.AddByConference<CompleteConferenceConsumer, CompleteConference>(m => m.ConferenceSid);
            x.AddByConference<PlayConferenceAnnouncementConsumer, PlayConferenceAnnouncement>(m => m.ConferenceSid);
        });
        return builder;
    }

    /// <summary>The participant controls and <c>/announce</c>, <c>/end</c> under <c>/api/conferences/{conferenceSid}</c>.</summary>
    public static RouteGroupBuilder MapConferenceControl(this RouteGroupBuilder conferences) => conferences.MapControlEndpoints();
}
