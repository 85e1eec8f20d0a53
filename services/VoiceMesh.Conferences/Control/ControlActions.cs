using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

/// <summary>The Twilio request that performs a stored moderator's action: the one mapping, for the outbox and the prompt path.</summary>
public static class ControlActions
{
    public static object Message(ConferenceActionRequested e) => e.Action switch
    {
        ConferenceAction.Mute or ConferenceAction.Unmute => Change(e) with { Muted = e.Action == ConferenceAction.Mute },
        ConferenceAction.Hold or ConferenceAction.Unhold => Change(e) with { Hold = e.Action == ConferenceAction.Hold, HoldUrl = e.HoldUrl },
        ConferenceAction.Coach or ConferenceAction.StopCoaching => Change(e) with { Coaching = e.Action == ConferenceAction.Coach, CallSidToCoach = e.CallSidToCoach },
        ConferenceAction.Remove => new KickParticipant { RequestId = e.RequestId, ConferenceSid = e.ConferenceSid, CallSid = e.CallSid!, OccurredAt = e.RequestedAt },
        ConferenceAction.Announce => new PlayConferenceAnnouncement { RequestId = e.RequestId, ConferenceSid = e.ConferenceSid, Url = e.AnnounceUrl!, OccurredAt = e.RequestedAt },
        ConferenceAction.End => new CompleteConference { RequestId = e.RequestId, ConferenceSid = e.ConferenceSid, OccurredAt = e.RequestedAt },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.Action, null),
    };

    /// <summary>
    /// Whether the action is sent at once after its commit as well as by the outbox: those whose performer reads
    /// Twilio's state first, so the outbox's later copy changes nothing. An announcement would play twice.
    /// </summary>
    public static bool IsPrompt(this ConferenceAction action) => action != ConferenceAction.Announce;

    /// <summary>
    /// Whether <paramref name="requestId"/> is still the latest request for what it changes on the participant (its
    /// mute, hold or coaching): a copy of an older request, arriving after a newer one was performed, is stale and must
    /// not undo it.
    /// </summary>
    public static bool IsLatest(Conference conference, ApplyParticipantChange change) =>
        conference.IsLatestRequest(
            change.CallSid,
            change.Muted is not null ? ConferenceAction.Mute : change.Hold is not null ? ConferenceAction.Hold : ConferenceAction.Coach,
            change.RequestId);

    private static ApplyParticipantChange Change(ConferenceActionRequested e) =>
        new() { RequestId = e.RequestId, ConferenceSid = e.ConferenceSid, CallSid = e.CallSid!, OccurredAt = e.RequestedAt };
}
