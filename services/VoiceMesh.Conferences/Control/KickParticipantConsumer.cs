using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class KickParticipantConsumer(TwilioConferenceControl twilio) : IConsumer<KickParticipant>
{
    public Task Consume(ConsumeContext<KickParticipant> context) => twilio.Kick(context.Message);
}
