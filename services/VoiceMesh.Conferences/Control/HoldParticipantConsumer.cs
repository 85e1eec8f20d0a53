using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class HoldParticipantConsumer(ControlCommands control) : IConsumer<HoldParticipant>
{
    public Task Consume(ConsumeContext<HoldParticipant> context) => control.Handle(context, nameof(HoldParticipant),
        ControlRequests.Of(context.Message.ConferenceSid, context.Message.RequestId, ConferenceAction.Hold, context.Message.OccurredAt, context.Message.CallSid) with { HoldUrl = context.Message.HoldUrl },
        ConferenceCommandValidator.Validate(context.Message));
}
