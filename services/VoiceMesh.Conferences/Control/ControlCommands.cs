using MassTransit;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Control;

/// <summary>
/// The moderator's commands through the command path on the conference's stream, for the bus consumers and the API
/// alike. Once a decision is stored it is performed at Twilio at once, in this same flow (<see cref="AfterCommit"/>):
/// a participant change is sent as asked (no fetch: the request just stored is the latest), a removal or an end as the
/// outbox would. The outbox's copy stays the guarantee (a Twilio failure or a crash here loses nothing) and finds Twilio
/// already changed, or a newer request stored, and changes nothing. An announcement is left to the outbox alone: a
/// second copy would play it twice.
/// </summary>
public sealed class ControlCommands(StreamCommands commands, AfterCommit afterCommit, TwilioConferenceControl twilio, TimeProvider clock)
{
    /// <summary>Decides and stores the request, then performs it; returns why it was refused, or null.</summary>
    public async Task<CommandRejection?> Execute(ConferenceActionRequested request, (string Field, string Reason)? violation, CancellationToken cancellationToken)
    {
        if (violation is { } invalid)
        {
            return CommandRejection.Invalid(invalid);
        }

        CommandRejection? rejection = null;
        var stored = await ConflictRetry.Run(() => commands.Execute<Conference>(request.ConferenceSid, request.RequestId, conference =>
        {
            var verdict = ControlDecisions.Decide(conference, request);
            rejection = verdict.Rejection;
            return verdict.Decision;
        }, cancellationToken), ConferenceDecisions.ConflictAttempts, clock, cancellationToken);
        await afterCommit.Perform<ConferenceActionRequested>([.. stored.OfType<ConferenceActionRequested>().Where(a => a.Action.IsPrompt())], Perform, cancellationToken);
        return rejection;
    }

    private Task Perform(ConferenceActionRequested action) => ControlActions.Message(action) switch
    {
        ApplyParticipantChange change => twilio.Update(change),
        KickParticipant kick => twilio.Kick(kick),
        CompleteConference end => twilio.Complete(end),
        var other => throw new InvalidOperationException($"{other.GetType().Name} is performed by the outbox alone."),
    };

    /// <summary>A bus command: decided and stored; a refusal is published as <c>ConferenceCommandRejected</c>.</summary>
    public async Task Handle(ConsumeContext context, string command, ConferenceActionRequested request, (string Field, string Reason)? violation)
    {
        if (await Execute(request, violation, context.CancellationToken) is { } rejection)
        {
            await context.Publish(rejection, command, request.RequestId ?? "", request.ConferenceSid ?? "", clock);
        }
    }
}
