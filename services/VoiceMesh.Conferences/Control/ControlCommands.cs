using MassTransit;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Control;

/// <summary>
/// The moderator's commands through the command path on the conference's stream, for the bus consumers and the API
/// alike. Once a decision is stored, its Twilio request is sent at once as well as by the outbox: the outbox's daemon
/// notices new events only after polling (and waits out sequence gaps other writers' conflicts leave), while the
/// performer reads Twilio's state first, so the second copy changes nothing.
/// </summary>
public sealed class ControlCommands(StreamCommands commands, IPublishEndpoint bus, TimeProvider clock)
{
    /// <summary>Decides and stores the request; returns why it was refused, or null.</summary>
    public async Task<CommandRejection?> Execute(ConferenceActionRequested request, (string Field, string Reason)? violation, CancellationToken cancellationToken)
    {
        if (violation is { } invalid)
        {
            return CommandRejection.Invalid(invalid);
        }

        CommandRejection? rejection = null;
        var stored = await DecisionRetry.OnConflict(() => commands.Execute<Conference>(request.ConferenceSid, request.RequestId, conference =>
        {
            var verdict = ControlDecisions.Decide(conference, request);
            rejection = verdict.Rejection;
            return verdict.Decision;
        }, cancellationToken), clock, cancellationToken);
        foreach (var action in stored.OfType<ConferenceActionRequested>().Where(a => a.Action.IsPrompt()))
        {
            var message = ControlActions.Message(action);
            await bus.Publish(message, message.GetType(), cancellationToken);
        }

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
