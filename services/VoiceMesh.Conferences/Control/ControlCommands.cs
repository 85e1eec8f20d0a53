using MassTransit;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Control;

/// <summary>The moderator's commands through the command path on the conference's stream, for the bus consumers and the API alike.</summary>
public sealed class ControlCommands(StreamCommands commands, TimeProvider clock)
{
    /// <summary>Decides and stores the request; returns why it was refused, or null.</summary>
    public async Task<CommandRejection?> Execute(ConferenceActionRequested request, (string Field, string Reason)? violation, CancellationToken cancellationToken)
    {
        if (violation is { } invalid)
        {
            return CommandRejection.Invalid(invalid);
        }

        CommandRejection? rejection = null;
        await DecisionRetry.OnConflict(() => commands.Execute<Conference>(request.ConferenceSid, request.RequestId, conference =>
        {
            var verdict = ControlDecisions.Decide(conference, request);
            rejection = verdict.Rejection;
            return verdict.Decision;
        }, cancellationToken), clock, cancellationToken);
        return rejection;
    }

    /// <summary>A bus command: decided and stored; a refusal is published as <c>ConferenceCommandRejected</c>.</summary>
    public async Task Handle(ConsumeContext context, string command, ConferenceActionRequested request, (string Field, string Reason)? violation)
    {
        if (await Execute(request, violation, context.CancellationToken) is { } rejection)
        {
            await context.Publish(rejection, command, request.RequestId ?? "", request.ConferenceSid ?? "", clock);
        }
    }
}
