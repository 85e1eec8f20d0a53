namespace VoiceMesh.TwilioSimulator.Conferences;

/// <summary>The per-participant attributes of a <c>&lt;Dial&gt;&lt;Conference&gt;</c> (REFERENCE §9.12).</summary>
internal sealed record DialParticipant(
    bool StartConferenceOnEnter, bool EndConferenceOnExit, bool Muted, string? Label, string? Coach, string Beep);

/// <summary>How a <c>&lt;Dial&gt;&lt;Conference&gt;</c> join went.</summary>
internal enum DialJoin
{
    Joined,
    RoomFull,
    CoachNotPresent,
}
