using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class EndConferenceConsumer(ControlCommands control) : IConsumer<EndConference>
{
    public Task Consume(ConsumeContext<EndConference> context) => control.Handle(context, nameof(EndConference),
        ControlRequests.Of(context.Message.ConferenceSid, context.Message.RequestId, ConferenceAction.End, context.Message.OccurredAt),
        ConferenceCommandValidator.Validate(context.Message.RequestId, context.Message.ConferenceSid, null));
}
