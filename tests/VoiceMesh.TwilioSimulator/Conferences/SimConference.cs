using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;

namespace VoiceMesh.TwilioSimulator.Conferences;

/// <summary>A conference room. Mutable: use only under the <see cref="ConferenceEngine"/>'s lock.</summary>
internal sealed class SimConference
{
    public required string Sid { get; init; }

    public required string AccountSid { get; init; }

    public required string AuthToken { get; init; }

    public required string FriendlyName { get; init; }

    public required DateTimeOffset DateCreated { get; init; }

    public DateTimeOffset DateUpdated { get; set; }

    /// <summary>When <c>conference-start</c> fired.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When <c>conference-end</c> fired.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary><c>init</c>, <c>in-progress</c> or <c>completed</c>.</summary>
    public string Status { get; set; } = "init";

    public string? ReasonConferenceEnded { get; set; }

    public string? CallSidEndingConference { get; set; }

    /// <summary>Fixed by the first participant (REFERENCE §3.1).</summary>
    public string? StatusCallback { get; init; }

    public string StatusCallbackMethod { get; init; } = "POST";

    public required IReadOnlySet<string> Events { get; init; }

    /// <summary><c>record-from-start</c>: recorded from <c>conference-start</c> until <c>conference-end</c>.</summary>
    public bool Record { get; init; }

    public RecordingCallbacks? RecordingCallbacks { get; init; }

    /// <summary>Fixed by the room's creator; a participant beyond it fails to join (<c>participant_add_failed</c>).</summary>
    public int MaxParticipants { get; init; } = ConferenceSettings.Largest;

    /// <summary>The conference's recording, once it started.</summary>
    public SimRecording? Recording { get; set; }

    /// <summary>Next conference-callback <c>SequenceNumber</c> (counts from 1).</summary>
    public int SequenceNumber { get; set; } = 1;

    public List<SimParticipant> Participants { get; } = [];

    /// <summary>The participants that joined or failed to, in that order.</summary>
    public List<SimParticipant> Roster { get; } = [];
}

/// <summary>A participant: the call Participants create dialled and its place in the room.</summary>
internal sealed class SimParticipant
{
    public required SimCall Call { get; init; }

    /// <summary>
    /// For a <c>&lt;Dial&gt;&lt;Conference&gt;</c> participant: continues its TwiML when the room drops it (kick or
    /// conference end). Null for a Participants-create call, which is hung up instead.
    /// </summary>
    public Action<DateTimeOffset>? Dropped { get; init; }

    public string? Label { get; init; }

    public required DateTimeOffset DateCreated { get; init; }

    public DateTimeOffset DateUpdated { get; set; }

    /// <summary><c>queued</c> until answered, then <c>connected</c>, then <c>complete</c>; <c>failed</c> if never answered.</summary>
    public string Status { get; set; } = "queued";

    public bool Muted { get; set; }

    public bool Hold { get; set; }

    public bool Coaching { get; set; }

    /// <summary>The CallSid this participant coaches (only that one hears it) while <see cref="Coaching"/>.</summary>
    public string? CallSidToCoach { get; set; }

    public bool StartConferenceOnEnter { get; init; } = true;

    public bool EndConferenceOnExit { get; set; }

    /// <summary><c>true</c>, <c>false</c>, <c>onEnter</c> or <c>onExit</c> (Participants create <c>Beep</c>).</summary>
    public string Beep { get; init; } = "true";

    public bool BeepOnExit { get; set; }

    /// <summary>Music played while on hold (Participants update <c>HoldUrl</c>/<c>HoldMethod</c>).</summary>
    public string? HoldUrl { get; set; }

    public string HoldMethod { get; set; } = "GET";

    public DateTimeOffset? JoinedAt { get; set; }

    public DateTimeOffset? LeftAt { get; set; }

    /// <summary>The <c>ReasonParticipantLeft</c> of its <c>participant-leave</c>.</summary>
    public string? ReasonLeft { get; set; }

    /// <summary>Set while the participant speaks (admin speech events).</summary>
    public DateTimeOffset? SpeakingSince { get; set; }

    /// <summary>Speaking time of the finished stretches.</summary>
    public TimeSpan Spoken { get; set; }

    public bool IsPresent => Status == "connected";

    /// <summary>
    /// Total speaking time up to <paramref name="now"/>, the running stretch included. Each stretch is measured between
    /// the whole seconds its speech callbacks' <c>Timestamp</c>s carry (RFC 2822 has no fractions), which is all a
    /// consumer of those callbacks can know.
    /// </summary>
    public TimeSpan SpokenBy(DateTimeOffset now) => Spoken + (SpeakingSince is { } since ? Stretch(since, now) : TimeSpan.Zero);

    /// <summary>Stops the running speaking stretch, if any, adding it to <see cref="Spoken"/>.</summary>
    public void StopSpeaking(DateTimeOffset at)
    {
        if (SpeakingSince is { } since)
        {
            Spoken += Stretch(since, at);
            SpeakingSince = null;
        }
    }

    private static TimeSpan Stretch(DateTimeOffset since, DateTimeOffset until) => WholeSecond(until) - WholeSecond(since);

    private static DateTimeOffset WholeSecond(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));
}
