using VoiceMesh.Conferences.Lifecycle;

namespace VoiceMesh.Conferences.Control;

/// <summary>The moderator's commands, decided purely on the conference's state.</summary>
public static class ControlDecisions
{
    /// <summary>
    /// Accepts an action on a running conference (and, for a participant action, on a participant in the room now; a
    /// coach's target must be in the room too). The same request again changes nothing: here when it is still the latest of its
    /// kind, otherwise on the command path, which stores each request id once.
    /// </summary>
    public static Verdict Decide(Conference? conference, ConferenceActionRequested request)
    {
        if (conference is null)
        {
            return Verdict.Reject(CommandRejection.UnknownConference(request.ConferenceSid));
        }

        if (conference.IsLatestRequest(request.CallSid, request.Action, request.RequestId))
        {
            return Verdict.Nothing;
        }

        if (conference.Status == ConferenceStatus.Completed)
        {
            return Verdict.Reject(CommandRejection.Ended(request.ConferenceSid));
        }

        if (request.Action.IsParticipantAction() && (request.CallSid is null || conference.Present(request.CallSid) is null))
        {
            return Verdict.Reject(CommandRejection.UnknownParticipant(request.ConferenceSid, request.CallSid ?? ""));
        }

        if (request.CallSidToCoach is { } coached && conference.Present(coached) is null)
        {
            return Verdict.Reject(CommandRejection.UnknownParticipant(request.ConferenceSid, coached) with { Field = "CallSidToCoach" });
        }

        return Verdict.Accept(request);
    }
}
