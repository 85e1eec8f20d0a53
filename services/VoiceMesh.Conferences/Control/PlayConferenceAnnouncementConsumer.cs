using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class PlayConferenceAnnouncementConsumer(TwilioConferenceControl twilio) : IConsumer<PlayConferenceAnnouncement>
{
    public Task Consume(ConsumeContext<PlayConferenceAnnouncement> context) => twilio.Announce(context.Message);
}
