using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>The options a room fixes for every participant VoiceMesh dials into it.</summary>
public sealed record RoomOptions
{
    public bool StartOnFirstModerator { get; init; }
    public bool EndWhenModeratorLeaves { get; init; }
    public int MaxParticipants { get; init; } = Control.ConferenceCommandValidator.MaxParticipants;
    public bool Record { get; init; }
    public string? WaitUrl { get; init; }
    public string? Region { get; init; }
    public ConferenceBeep? Beep { get; init; }
}

/// <summary>A room was opened by a CreateConference request (or opened again once its last conference ended).</summary>
public sealed record RoomCreated
{
    public required string FriendlyName { get; init; }
    public required string RequestId { get; init; }
    public required RoomOptions Options { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>An AddParticipant was accepted: the dial, stored before Twilio is asked; the outbox performs it.</summary>
public sealed record ParticipantDialRequested
{
    public required string FriendlyName { get; init; }
    public required string RequestId { get; init; }
    public required string To { get; init; }
    public required string From { get; init; }

    /// <summary>The pool <see cref="From"/> was leased from, and the lease (ended when the participant leaves or the dial fails).</summary>
    public string? CallerIdPool { get; init; }
    public Guid? LeaseId { get; init; }
    public required ParticipantRole Role { get; init; }
    public string? CallSidToCoach { get; init; }
    public string? Label { get; init; }
    public bool Muted { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}

/// <summary>A Participants create for the dial is about to be sent by <see cref="DeliveryId"/>; until its answer is stored it is in doubt.</summary>
public sealed record ParticipantDialAttempted
{
    public required string FriendlyName { get; init; }
    public required string RequestId { get; init; }
    public required int Attempt { get; init; }
    public required string DeliveryId { get; init; }
    public required DateTimeOffset AttemptedAt { get; init; }
}

/// <summary>Twilio answered the dial's Participants create: the call and the conference (the name's sid from now on).</summary>
public sealed record ParticipantDialSucceeded
{
    public required string FriendlyName { get; init; }
    public required string RequestId { get; init; }
    public required string CallSid { get; init; }
    public required string ConferenceSid { get; init; }
    public required DateTimeOffset DialedAt { get; init; }
}

/// <summary>Twilio refused the dial for good; it is not retried.</summary>
public sealed record ParticipantDialFailed
{
    public required string FriendlyName { get; init; }
    public required string RequestId { get; init; }
    public required int ErrorCode { get; init; }
    public required string Message { get; init; }

    /// <summary>The dial's caller-id lease, ended with it.</summary>
    public Guid? LeaseId { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
}
