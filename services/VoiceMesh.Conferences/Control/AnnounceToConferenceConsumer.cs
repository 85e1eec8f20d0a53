using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class AnnounceToConferenceConsumer(ControlCommands control) : IConsumer<AnnounceToConference>
{
    public Task Consume(ConsumeContext<AnnounceToConference> context) => control.Handle(context, nameof(AnnounceToConference),
        ControlRequests.Of(context.Message.ConferenceSid, context.Message.RequestId, ConferenceAction.Announce, context.Message.OccurredAt) with { AnnounceUrl = context.Message.Url },
        ConferenceCommandValidator.Validate(context.Message));
}
