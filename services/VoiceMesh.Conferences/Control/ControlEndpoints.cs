using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

/// <summary>The optional body of the control endpoints: a request id (made up when absent) and the action's fields.</summary>
public sealed record ControlRequest(string? RequestId = null, string? HoldUrl = null, string? CallSidToCoach = null, string? Url = null);

public sealed record AcceptedControl(string RequestId, string ConferenceSid);

internal static class ControlEndpoints
{
    /// <summary>
    /// The moderator's controls: the same decisions the bus commands make, stored at once through the command path,
    /// so a refusal is the answer itself.
    /// </summary>
    public static RouteGroupBuilder MapControlEndpoints(this RouteGroupBuilder conferences)
    {
        var participant = conferences.MapGroup("/{conferenceSid}/participants/{callSid}");
        participant.MapPost("/mute", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new MuteParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, OccurredAt = clock.GetUtcNow() };
            return Send(ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Mute, command.OccurredAt, callSid),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, callSid), control, ct);
        });
        participant.MapPost("/unmute", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new UnmuteParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, OccurredAt = clock.GetUtcNow() };
            return Send(ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Unmute, command.OccurredAt, callSid),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, callSid), control, ct);
        });
        participant.MapPost("/hold", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new HoldParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, HoldUrl = body?.HoldUrl, OccurredAt = clock.GetUtcNow() };
            return Send(ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Hold, command.OccurredAt, callSid) with { HoldUrl = command.HoldUrl },
                ConferenceCommandValidator.Validate(command), control, ct);
        });
        participant.MapPost("/unhold", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new UnholdParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, OccurredAt = clock.GetUtcNow() };
            return Send(ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Unhold, command.OccurredAt, callSid),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, callSid), control, ct);
        });
        participant.MapPost("/coach", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new CoachParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, CallSidToCoach = body?.CallSidToCoach, OccurredAt = clock.GetUtcNow() };
            return Send(ControlRequests.Coach(command), ConferenceCommandValidator.Validate(command), control, ct);
        });
        participant.MapDelete("/", (string conferenceSid, string callSid, string? requestId, ControlCommands control, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new RemoveParticipant { RequestId = requestId ?? Rooms.RoomEndpoints.NewRequestId(), ConferenceSid = conferenceSid, CallSid = callSid, OccurredAt = clock.GetUtcNow() };
            return Send(ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Remove, command.OccurredAt, callSid),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, callSid), control, ct);
        });
        conferences.MapPost("/{conferenceSid}/announce", (string conferenceSid, ControlRequest? body, ControlCommands control, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new AnnounceToConference { RequestId = Id(body), ConferenceSid = conferenceSid, Url = body?.Url!, OccurredAt = clock.GetUtcNow() };
            return Send(ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Announce, command.OccurredAt) with { AnnounceUrl = command.Url },
                ConferenceCommandValidator.Validate(command), control, ct);
        });
        conferences.MapPost("/{conferenceSid}/end", (string conferenceSid, ControlRequest? body, ControlCommands control, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new EndConference { RequestId = Id(body), ConferenceSid = conferenceSid, OccurredAt = clock.GetUtcNow() };
            return Send(ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.End, command.OccurredAt),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, null), control, ct);
        });
        return conferences;
    }

    private static string Id(ControlRequest? body) => body?.RequestId ?? Rooms.RoomEndpoints.NewRequestId();

    /// <summary>Stores the decision (the outbox performs it at Twilio): 202, or the refusal as problem+json.</summary>
    private static async Task<IResult> Send(
        ConferenceActionRequested request, (string Field, string Reason)? violation, ControlCommands control, CancellationToken cancellationToken) =>
        await control.Execute(request, violation, cancellationToken) is { } rejection
            ? ControlProblems.Of(rejection)
            : TypedResults.Accepted((string?)null, new AcceptedControl(request.RequestId, request.ConferenceSid));
}
