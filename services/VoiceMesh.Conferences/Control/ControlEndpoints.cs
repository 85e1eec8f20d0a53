using MassTransit;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

/// <summary>The optional body of the control endpoints: a request id (made up when absent) and the action's fields.</summary>
public sealed record ControlRequest(string? RequestId = null, string? HoldUrl = null, string? CallSidToCoach = null, string? Url = null);

public sealed record AcceptedControl(string RequestId, string ConferenceSid);

internal static class ControlEndpoints
{
    /// <summary>The moderator's controls: the same commands other systems publish, checked before they are sent.</summary>
    public static RouteGroupBuilder MapControlEndpoints(this RouteGroupBuilder conferences)
    {
        var participant = conferences.MapGroup("/{conferenceSid}/participants/{callSid}");
        participant.MapPost("/mute", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new MuteParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, OccurredAt = clock.GetUtcNow() };
            return Send(command, ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Mute, command.OccurredAt, callSid),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, callSid), control, bus, ct);
        });
        participant.MapPost("/unmute", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new UnmuteParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, OccurredAt = clock.GetUtcNow() };
            return Send(command, ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Unmute, command.OccurredAt, callSid),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, callSid), control, bus, ct);
        });
        participant.MapPost("/hold", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new HoldParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, HoldUrl = body?.HoldUrl, OccurredAt = clock.GetUtcNow() };
            return Send(command, ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Hold, command.OccurredAt, callSid) with { HoldUrl = command.HoldUrl },
                ConferenceCommandValidator.Validate(command), control, bus, ct);
        });
        participant.MapPost("/unhold", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new UnholdParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, OccurredAt = clock.GetUtcNow() };
            return Send(command, ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Unhold, command.OccurredAt, callSid),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, callSid), control, bus, ct);
        });
        participant.MapPost("/coach", (string conferenceSid, string callSid, ControlRequest? body, ControlCommands control, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new CoachParticipant { RequestId = Id(body), ConferenceSid = conferenceSid, CallSid = callSid, CallSidToCoach = body?.CallSidToCoach, OccurredAt = clock.GetUtcNow() };
            return Send(command, ControlRequests.Coach(command), ConferenceCommandValidator.Validate(command), control, bus, ct);
        });
        participant.MapDelete("/", (string conferenceSid, string callSid, string? requestId, ControlCommands control, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new RemoveParticipant { RequestId = requestId ?? Rooms.RoomEndpoints.NewRequestId(), ConferenceSid = conferenceSid, CallSid = callSid, OccurredAt = clock.GetUtcNow() };
            return Send(command, ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Remove, command.OccurredAt, callSid),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, callSid), control, bus, ct);
        });
        conferences.MapPost("/{conferenceSid}/announce", (string conferenceSid, ControlRequest? body, ControlCommands control, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new AnnounceToConference { RequestId = Id(body), ConferenceSid = conferenceSid, Url = body?.Url!, OccurredAt = clock.GetUtcNow() };
            return Send(command, ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.Announce, command.OccurredAt) with { AnnounceUrl = command.Url },
                ConferenceCommandValidator.Validate(command), control, bus, ct);
        });
        conferences.MapPost("/{conferenceSid}/end", (string conferenceSid, ControlRequest? body, ControlCommands control, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct) =>
        {
            var command = new EndConference { RequestId = Id(body), ConferenceSid = conferenceSid, OccurredAt = clock.GetUtcNow() };
            return Send(command, ControlRequests.Of(conferenceSid, command.RequestId, ConferenceAction.End, command.OccurredAt),
                ConferenceCommandValidator.Validate(command.RequestId, conferenceSid, null), control, bus, ct);
        });
        return conferences;
    }

    private static string Id(ControlRequest? body) => body?.RequestId ?? Rooms.RoomEndpoints.NewRequestId();

    private static async Task<IResult> Send<T>(
        T command, ConferenceActionRequested request, (string Field, string Reason)? violation, ControlCommands control, IPublishEndpoint bus, CancellationToken cancellationToken)
        where T : class
    {
        if (await control.Check(request, violation, cancellationToken) is { } rejection)
        {
            return ControlProblems.Of(rejection);
        }

        await bus.Publish(command, cancellationToken);
        return TypedResults.Accepted((string?)null, new AcceptedControl(request.RequestId, request.ConferenceSid));
    }
}
