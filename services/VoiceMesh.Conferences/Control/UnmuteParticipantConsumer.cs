using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class UnmuteParticipantConsumer(ControlCommands control) : IConsumer<UnmuteParticipant>
{
    public Task Consume(ConsumeContext<UnmuteParticipant> context) => control.Handle(context, nameof(UnmuteParticipant),
        ControlRequests.Of(context.Message.ConferenceSid, context.Message.RequestId, ConferenceAction.Unmute, context.Message.OccurredAt, context.Message.CallSid),
        ConferenceCommandValidator.Validate(context.Message.RequestId, context.Message.ConferenceSid, context.Message.CallSid));
}
