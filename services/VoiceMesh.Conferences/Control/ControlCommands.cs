using MassTransit;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Control;

/// <summary>The moderator's commands through the command path on the conference's stream; the API checks the same decision first.</summary>
public sealed class ControlCommands(StreamCommands commands, TimeProvider clock)
{
    /// <summary>Why the request would be refused now, or null.</summary>
    public async Task<CommandRejection?> Check(ConferenceActionRequested request, (string Field, string Reason)? violation, CancellationToken cancellationToken)
    {
        if (violation is { } invalid)
        {
            return CommandRejection.Invalid(invalid);
        }

        var conference = await commands.Load<Conference>(request.ConferenceSid, cancellationToken);
        return ControlDecisions.Decide(conference, request).Rejection;
    }

    /// <summary>Decides and stores the request; a refusal is published as <c>ConferenceCommandRejected</c>.</summary>
    public async Task Handle(ConsumeContext context, string command, ConferenceActionRequested request, (string Field, string Reason)? violation)
    {
        CommandRejection? rejection = violation is { } invalid ? CommandRejection.Invalid(invalid) : null;
        if (rejection is null)
        {
            await commands.Execute<Conference>(request.ConferenceSid, request.RequestId, conference =>
            {
                var verdict = ControlDecisions.Decide(conference, request);
                rejection = verdict.Rejection;
                return verdict.Decision;
            }, context.CancellationToken);
        }

        if (rejection is not null)
        {
            await context.Publish(rejection, command, request.RequestId ?? "", request.ConferenceSid ?? "", clock);
        }
    }
}
