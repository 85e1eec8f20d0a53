using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>The body of <c>POST /api/conferences</c>.</summary>
public sealed record CreateConferenceRequest(
    string? FriendlyName,
    string? RequestId = null,
    bool StartOnFirstModerator = false,
    bool EndWhenModeratorLeaves = false,
    int? MaxParticipants = null,
    bool Record = false,
    string? WaitUrl = null,
    string? Region = null,
    string? Beep = null);

/// <summary>The body of <c>POST /api/conferences/{friendlyName}/participants</c>; <c>role</c> is moderator, attendee (default) or coach.</summary>
public sealed record AddParticipantRequest(
    string? To,
    string? From,
    string? RequestId = null,
    string? Role = null,
    string? CallSidToCoach = null,
    string? Label = null,
    bool Muted = false,
    string? CallerIdPool = null);

public sealed record AcceptedRequest(string RequestId, string FriendlyName);

/// <summary>
/// The room commands over HTTP: the same decisions the bus consumers make, stored at once through the command path, so
/// a room created is there for the next request and a refusal is the answer itself.
/// </summary>
internal static class RoomEndpoints
{
    public static RouteGroupBuilder MapRoomEndpoints(this RouteGroupBuilder conferences)
    {
        conferences.MapPost("/", Create);
        conferences.MapPost("/{friendlyName}/participants", Add);
        return conferences;
    }

    private static async Task<IResult> Create(
        CreateConferenceRequest body, RoomCommands rooms, TimeProvider clock, CancellationToken cancellationToken)
    {
        ConferenceBeep? beep = null;
        if (body.Beep is not null)
        {
            if (!ConferenceWire.TryParse<ConferenceBeep>(body.Beep, ConferenceWire.ToWire, out var parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Beep"] = [$"Beep must be one of {ConferenceWire.Allowed<ConferenceBeep>(ConferenceWire.ToWire)}."] });
            }

            beep = parsed;
        }

        var command = new CreateConference
        {
            RequestId = body.RequestId ?? NewRequestId(),
            FriendlyName = body.FriendlyName!,
            StartOnFirstModerator = body.StartOnFirstModerator,
            EndWhenModeratorLeaves = body.EndWhenModeratorLeaves,
            MaxParticipants = body.MaxParticipants,
            Record = body.Record,
            WaitUrl = body.WaitUrl,
            Region = body.Region,
            Beep = beep,
            OccurredAt = clock.GetUtcNow(),
        };
        return await rooms.Create(command, cancellationToken) is { } rejection
            ? ControlProblems.Of(rejection)
            : TypedResults.Created($"/api/conferences?name={Uri.EscapeDataString(command.FriendlyName)}", new AcceptedRequest(command.RequestId, command.FriendlyName));
    }

    private static async Task<IResult> Add(
        string friendlyName, AddParticipantRequest body, RoomCommands rooms, TimeProvider clock, CancellationToken cancellationToken)
    {
        var role = ParticipantRole.Attendee;
        if (body.Role is not null && !ConferenceWire.TryParse(body.Role, ConferenceWire.ToWire, out role))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Role"] = [$"Role must be one of {ConferenceWire.Allowed<ParticipantRole>(ConferenceWire.ToWire)}."] });
        }

        var command = new AddParticipant
        {
            RequestId = body.RequestId ?? NewRequestId(),
            FriendlyName = friendlyName,
            To = body.To!,
            From = body.From,
            CallerIdPool = body.CallerIdPool,
            Role = role,
            CallSidToCoach = body.CallSidToCoach,
            Label = body.Label,
            Muted = body.Muted,
            OccurredAt = clock.GetUtcNow(),
        };
        return await rooms.Add(command, cancellationToken) is { } rejection
            ? ControlProblems.Of(rejection)
            : TypedResults.Accepted((string?)null, new AcceptedRequest(command.RequestId, friendlyName));
    }

    internal static string NewRequestId() => Guid.NewGuid().ToString("N");
}
