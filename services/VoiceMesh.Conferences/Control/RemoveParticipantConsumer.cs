using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class RemoveParticipantConsumer(ControlCommands control) : IConsumer<RemoveParticipant>
{
    public Task Consume(ConsumeContext<RemoveParticipant> context) => control.Handle(context, nameof(RemoveParticipant),
        ControlRequests.Of(context.Message.ConferenceSid, context.Message.RequestId, ConferenceAction.Remove, context.Message.OccurredAt, context.Message.CallSid),
        ConferenceCommandValidator.Validate(context.Message.RequestId, context.Message.ConferenceSid, context.Message.CallSid));
}
