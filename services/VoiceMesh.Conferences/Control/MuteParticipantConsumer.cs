using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class MuteParticipantConsumer(ControlCommands control) : IConsumer<MuteParticipant>
{
    public Task Consume(ConsumeContext<MuteParticipant> context) => control.Handle(context, nameof(MuteParticipant),
        ControlRequests.Of(context.Message.ConferenceSid, context.Message.RequestId, ConferenceAction.Mute, context.Message.OccurredAt, context.Message.CallSid),
        ConferenceCommandValidator.Validate(context.Message.RequestId, context.Message.ConferenceSid, context.Message.CallSid));
}
