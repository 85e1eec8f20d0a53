namespace VoiceMesh.TwilioSimulator.Conferences;

/// <summary>
/// The simulator's own record of a conference (<c>GET /_sim/conferences/{sidOrName}</c>), for tests that compare a read
/// model with what really happened. Times are simulator time, null when not happened yet.
/// </summary>
public sealed record ConferenceSnapshot(
    string ConferenceSid,
    string FriendlyName,
    string Status,
    DateTimeOffset DateCreated,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? ReasonConferenceEnded,
    string? CallSidEndingConference,
    IReadOnlyList<ParticipantSnapshot> Participants);

/// <summary>
/// One participant of a <see cref="ConferenceSnapshot"/>, in join order. The flags are the current (or, once it left,
/// the final) values; <see cref="JoinedAt"/> is null for a participant that could not be added (room full).
/// </summary>
public sealed record ParticipantSnapshot(
    string CallSid,
    string? Label,
    DateTimeOffset? JoinedAt,
    DateTimeOffset? LeftAt,
    bool Muted,
    bool Hold,
    bool Coaching,
    string? CallSidToCoach,
    bool EndConferenceOnExit,
    bool StartConferenceOnEnter,
    string? ReasonLeft,
    int SpeakingSeconds);
