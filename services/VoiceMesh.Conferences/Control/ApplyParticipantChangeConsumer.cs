using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class ApplyParticipantChangeConsumer(TwilioConferenceControl twilio) : IConsumer<ApplyParticipantChange>
{
    public Task Consume(ConsumeContext<ApplyParticipantChange> context) => twilio.Change(context.Message);
}
