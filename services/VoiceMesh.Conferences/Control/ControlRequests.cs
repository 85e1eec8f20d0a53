using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

/// <summary>The stored form of a moderator's command.</summary>
internal static class ControlRequests
{
    public static ConferenceActionRequested Of(string conferenceSid, string requestId, ConferenceAction action, DateTimeOffset at, string? callSid = null) => new()
    {
        ConferenceSid = conferenceSid,
        RequestId = requestId,
        Action = action,
        CallSid = callSid,
        RequestedAt = at,
    };

    public static ConferenceActionRequested Coach(CoachParticipant command) =>
        Of(command.ConferenceSid, command.RequestId, command.CallSidToCoach is null ? ConferenceAction.StopCoaching : ConferenceAction.Coach, command.OccurredAt, command.CallSid)
            with { CallSidToCoach = command.CallSidToCoach };
}
