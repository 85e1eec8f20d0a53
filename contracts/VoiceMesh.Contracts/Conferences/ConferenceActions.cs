namespace VoiceMesh.Contracts.Conferences;

// The Twilio requests that follow a decision the Conferences service stored. Its outbox sends them, with the stored
// event's id as message id, and its own consumers perform them; other systems send the commands instead.

/// <summary>Performs the stored dial of request <see cref="RequestId"/> into the room <see cref="FriendlyName"/> (Participants create).</summary>
public sealed record DialParticipant
{
    public required string RequestId { get; init; }
    public required string FriendlyName { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Performs a stored participant change (Participants update); only the non-null fields are sent.</summary>
public sealed record ApplyParticipantChange
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public bool? Muted { get; init; }
    public bool? Hold { get; init; }
    public string? HoldUrl { get; init; }
    public bool? Coaching { get; init; }
    public string? CallSidToCoach { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Performs a stored removal (Participants delete).</summary>
public sealed record KickParticipant
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Performs a stored end of the conference (Conference update <c>Status=completed</c>).</summary>
public sealed record CompleteConference
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Performs a stored announcement to the room (Conference update <c>AnnounceUrl</c>).</summary>
public sealed record PlayConferenceAnnouncement
{
    public required string RequestId { get; init; }
    public required string ConferenceSid { get; init; }
    public required string Url { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
