using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

public sealed class CoachParticipantConsumer(ControlCommands control) : IConsumer<CoachParticipant>
{
    public Task Consume(ConsumeContext<CoachParticipant> context) => control.Handle(context, nameof(CoachParticipant),
        ControlRequests.Coach(context.Message), ConferenceCommandValidator.Validate(context.Message));
}
