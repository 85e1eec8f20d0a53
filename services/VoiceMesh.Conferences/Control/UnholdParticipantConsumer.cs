using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class UnholdParticipantConsumer(ControlCommands control) : IConsumer<UnholdParticipant>
{
    public Task Consume(ConsumeContext<UnholdParticipant> context) => control.Handle(context, nameof(UnholdParticipant),
        ControlRequests.Of(context.Message.ConferenceSid, context.Message.RequestId, ConferenceAction.Unhold, context.Message.OccurredAt, context.Message.CallSid),
        ConferenceCommandValidator.Validate(context.Message.RequestId, context.Message.ConferenceSid, context.Message.CallSid));
}
