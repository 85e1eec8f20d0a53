namespace VoiceMesh.Conferences.Control;

/// <summary>What a moderator asked Twilio to do to the room or one of its participants.</summary>
public enum ConferenceAction
{
    Mute,
    Unmute,
    Hold,
    Unhold,
    Coach,
    StopCoaching,
    Remove,
    Announce,
    End,
}

/// <summary>The one conversion of <see cref="ConferenceAction"/> to the read model's timeline strings.</summary>
public static class ConferenceActionWire
{
    public static string ToWire(this ConferenceAction action) => action switch
    {
        ConferenceAction.Mute => "mute-requested",
        ConferenceAction.Unmute => "unmute-requested",
        ConferenceAction.Hold => "hold-requested",
        ConferenceAction.Unhold => "unhold-requested",
        ConferenceAction.Coach => "coach-requested",
        ConferenceAction.StopCoaching => "stop-coaching-requested",
        ConferenceAction.Remove => "remove-requested",
        ConferenceAction.Announce => "announce-requested",
        ConferenceAction.End => "end-requested",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static bool IsParticipantAction(this ConferenceAction action) => action is not (ConferenceAction.Announce or ConferenceAction.End);
}

/// <summary>
/// A moderator's command was accepted on the conference's stream: the decision, stored before Twilio is asked. The
/// outbox performs it (<c>ApplyParticipantChange</c>, <c>KickParticipant</c>, <c>PlayConferenceAnnouncement</c>,
/// <c>CompleteConference</c>), so a crash or a Twilio error after the commit loses nothing.
/// </summary>
public sealed record ConferenceActionRequested
{
    public required string ConferenceSid { get; init; }
    public required string RequestId { get; init; }
    public required ConferenceAction Action { get; init; }
    public string? CallSid { get; init; }
    public string? HoldUrl { get; init; }
    public string? CallSidToCoach { get; init; }
    public string? AnnounceUrl { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
