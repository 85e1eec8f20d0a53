namespace VoiceMesh.Contracts.Conferences;

/// <summary>Twilio's <c>StatusCallbackEvent</c> values of a conference status callback (REFERENCE §3.1).</summary>
public enum ConferenceCallbackEvent
{
    ConferenceStart,
    ConferenceEnd,
    ParticipantJoin,
    ParticipantLeave,
    ParticipantMute,
    ParticipantUnmute,
    ParticipantHold,
    ParticipantUnhold,
    ParticipantModify,
    ParticipantSpeechStart,
    ParticipantSpeechStop,
    AnnouncementEnd,
    AnnouncementFail,
}

/// <summary>Twilio's <c>ReasonParticipantLeft</c> values (REFERENCE §3.2).</summary>
public enum ParticipantLeftReason
{
    ConferenceEndedViaApi,
    ModeratorEndedConference,
    ParticipantUpdatedViaApi,
    ParticipantHungUp,
    ParticipantAddFailed,
}

/// <summary>Twilio's <c>ReasonConferenceEnded</c> values (REFERENCE §3.2, §12.1).</summary>
public enum ConferenceEndedReason
{
    ConferenceEndedViaApi,
    ParticipantWithEndConferenceOnExitLeft,
    ParticipantWithEndConferenceOnExitKicked,
    LastParticipantKicked,
    LastParticipantLeft,
}

/// <summary>Twilio's <c>ParticipantCallStatus</c> values on <c>participant-leave</c> (REFERENCE §3.2).</summary>
public enum ParticipantCallStatus
{
    NoAnswer,
    Busy,
    InProgress,
    Failed,
    Canceled,
    Completed,
}

/// <summary>A participant's part in a room VoiceMesh runs.</summary>
public enum ParticipantRole
{
    /// <summary>Starts the room on entering; ends it on leaving when the room says so.</summary>
    Moderator,

    /// <summary>Waits for a moderator when the room starts on the first moderator.</summary>
    Attendee,

    /// <summary>Heard only by the participant it coaches (<c>Coaching</c> with <c>CallSidToCoach</c>).</summary>
    Coach,
}

/// <summary>Twilio's <c>beep</c> values for a room (REFERENCE §9.12).</summary>
public enum ConferenceBeep
{
    True,
    False,
    OnEnter,
    OnExit,
}

/// <summary>
/// The one conversion between the conference enums and Twilio's wire strings, both ways. Contracts reference nothing
/// but the BCL, so the conversion lives beside the enums.
/// </summary>
public static class ConferenceWire
{
    public static string ToWire(this ConferenceCallbackEvent value) => value switch
    {
        ConferenceCallbackEvent.ConferenceStart => "conference-start",
        ConferenceCallbackEvent.ConferenceEnd => "conference-end",
        ConferenceCallbackEvent.ParticipantJoin => "participant-join",
        ConferenceCallbackEvent.ParticipantLeave => "participant-leave",
        ConferenceCallbackEvent.ParticipantMute => "participant-mute",
        ConferenceCallbackEvent.ParticipantUnmute => "participant-unmute",
        ConferenceCallbackEvent.ParticipantHold => "participant-hold",
        ConferenceCallbackEvent.ParticipantUnhold => "participant-unhold",
        ConferenceCallbackEvent.ParticipantModify => "participant-modify",
        ConferenceCallbackEvent.ParticipantSpeechStart => "participant-speech-start",
        ConferenceCallbackEvent.ParticipantSpeechStop => "participant-speech-stop",
        ConferenceCallbackEvent.AnnouncementEnd => "announcement-end",
        ConferenceCallbackEvent.AnnouncementFail => "announcement-fail",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string ToWire(this ParticipantLeftReason value) => value switch
    {
        ParticipantLeftReason.ConferenceEndedViaApi => "conference_ended_via_api",
        ParticipantLeftReason.ModeratorEndedConference => "moderator_ended_conference",
        ParticipantLeftReason.ParticipantUpdatedViaApi => "participant_updated_via_api",
        ParticipantLeftReason.ParticipantHungUp => "participant_hung_up",
        ParticipantLeftReason.ParticipantAddFailed => "participant_add_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string ToWire(this ConferenceEndedReason value) => value switch
    {
        ConferenceEndedReason.ConferenceEndedViaApi => "conference-ended-via-api",
        ConferenceEndedReason.ParticipantWithEndConferenceOnExitLeft => "participant-with-end-conference-on-exit-left",
        ConferenceEndedReason.ParticipantWithEndConferenceOnExitKicked => "participant-with-end-conference-on-exit-kicked",
        ConferenceEndedReason.LastParticipantKicked => "last-participant-kicked",
        ConferenceEndedReason.LastParticipantLeft => "last-participant-left",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string ToWire(this ParticipantCallStatus value) => value switch
    {
        ParticipantCallStatus.NoAnswer => "no-answer",
        ParticipantCallStatus.Busy => "busy",
        ParticipantCallStatus.InProgress => "in-progress",
        ParticipantCallStatus.Failed => "failed",
        ParticipantCallStatus.Canceled => "canceled",
        ParticipantCallStatus.Completed => "completed",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string ToWire(this ParticipantRole value) => value switch
    {
        ParticipantRole.Moderator => "moderator",
        ParticipantRole.Attendee => "attendee",
        ParticipantRole.Coach => "coach",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static string ToWire(this ConferenceBeep value) => value switch
    {
        ConferenceBeep.True => "true",
        ConferenceBeep.False => "false",
        ConferenceBeep.OnEnter => "onEnter",
        ConferenceBeep.OnExit => "onExit",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The value of <typeparamref name="T"/> whose wire string is <paramref name="wire"/> (ordinal), if any.</summary>
    public static bool TryParse<T>(string? wire, Func<T, string> toWire, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(toWire(candidate), wire, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Every wire string of <typeparamref name="T"/>, for error messages.</summary>
    public static string Allowed<T>(Func<T, string> toWire)
        where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(toWire));
}
