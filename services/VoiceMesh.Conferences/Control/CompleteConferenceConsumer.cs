using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class CompleteConferenceConsumer(TwilioConferenceControl twilio) : IConsumer<CompleteConference>
{
    public Task Consume(ConsumeContext<CompleteConference> context) => twilio.Complete(context.Message);
}
