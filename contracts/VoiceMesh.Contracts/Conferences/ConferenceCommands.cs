namespace VoiceMesh.Contracts.Conferences;

/// <summary>
/// Opens a room named <see cref="FriendlyName"/> with its options. Twilio creates the conference (and its sid) when the
/// first participant joins; every participant VoiceMesh dials into the room carries these options identically.
/// </summary>
public sealed record CreateConference
{
    public required string RequestId { get; init; }
    public required string FriendlyName { get; init; }

    /// <summary>Attendees wait (with <see cref="WaitUrl"/>) until a moderator joins.</summary>
    public bool StartOnFirstModerator { get; init; }

    /// <summary>The room ends when a moderator leaves.</summary>
    public bool EndWhenModeratorLeaves { get; init; }

    /// <summary>2 to 250 (Twilio's default 250).</summary>
    public int? MaxParticipants { get; init; }

    /// <summary>Record the conference from its start.</summary>
    public bool Record { get; init; }

    /// <summary>Music before the room starts; absent for Twilio's default.</summary>
    public string? WaitUrl { get; init; }

    /// <summary>Where Twilio mixes the audio: us1 us2 ie1 de1 sg1 br1 au1 jp1; absent for Twilio's choice.</summary>
    public string? Region { get; init; }

    public ConferenceBeep? Beep { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Dials <see cref="To"/> into the room named <see cref="FriendlyName"/> through Twilio's Participants API.</summary>
public sealed record AddParticipant
{
    public required string RequestId { get; init; }
    public required string FriendlyName { get; init; }

    /// <summary>E.164.</summary>
    public required string To { get; init; }

    /// <summary>E.164 caller id; or none, and <see cref="CallerIdPool"/> names the number pool that lends one.</summary>
    public string? From { get; init; }

    /// <summary>
    /// The NumberPool pool to lease the caller id from (instead of <see cref="From"/>): the lease ends when the
    /// participant leaves or its dial fails. A pool with no number free refuses the command (<see cref="ConferenceRejection.CallerIdUnavailable"/>).
    /// </summary>
    public string? CallerIdPool { get; init; }

    public ParticipantRole Role { get; init; } = ParticipantRole.Attendee;

    /// <summary>For a coach: the call it coaches.</summary>
    public string? CallSidToCoach { get; init; }

    public string? Label { get; init; }
    public bool Muted { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Mutes a participant.</summary>
public sealed record MuteParticipant
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Unmutes a participant.</summary>
public sealed record UnmuteParticipant
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Puts a participant on hold, with <see cref="HoldUrl"/> playing (Twilio's hold music when absent).</summary>
public sealed record HoldParticipant
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public string? HoldUrl { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Brings a held participant back.</summary>
public sealed record UnholdParticipant
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Makes a participant coach <see cref="CallSidToCoach"/>; null stops its coaching.</summary>
public sealed record CoachParticipant
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public string? CallSidToCoach { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Removes (kicks) a participant from the room; its call is hung up.</summary>
public sealed record RemoveParticipant
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Plays <see cref="Url"/> (audio or TwiML of Play/Say/Pause/Redirect) to everyone in the room.</summary>
public sealed record AnnounceToConference
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string Url { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Ends the room: everyone is dropped.</summary>
public sealed record EndConference
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Why a conference command was refused.</summary>
public enum ConferenceRejection
{
    /// <summary>A field is missing or malformed (<see cref="ConferenceCommandRejected.Field"/> names it).</summary>
    Invalid,

    /// <summary>No room or conference by that name or sid.</summary>
    UnknownConference,

    /// <summary>The conference has ended; nothing can change it.</summary>
    ConferenceEnded,

    /// <summary>The call is not a participant in the room now.</summary>
    UnknownParticipant,

    /// <summary>The room holds its maximum number of participants.</summary>
    ConferenceFull,

    /// <summary>A room by that name exists already, with other options.</summary>
    ConferenceExists,

    /// <summary>The number pool lent no caller id (exhausted, unknown, or no number for the destination).</summary>
    CallerIdUnavailable,
}

/// <summary>A conference command was refused and changed nothing; <see cref="Field"/> and <see cref="Reason"/> say why.</summary>
public sealed record ConferenceCommandRejected
{
    public required string Command { get; init; }
    public required string RequestId { get; init; }

    /// <summary>The room's sid or name, as the command named it.</summary>
    public required string Conference { get; init; }

    public required ConferenceRejection Rejection { get; init; }
    public required string Field { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
