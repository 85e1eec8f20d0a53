using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>
/// Twilio reported an event of the conference (one per accepted, distinct status callback): started, ended, a
/// participant joined, left, was muted, unmuted, held, unheld or modified, started or stopped speaking, or an
/// announcement ended or failed. <see cref="Kind"/> names which; the fields are the callback's.
/// </summary>
public sealed record ConferenceEventReported
{
    public required string ConferenceSid { get; init; }
    public required string FriendlyName { get; init; }
    public required ConferenceCallbackEvent Kind { get; init; }
    public int? SequenceNumber { get; init; }
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The message id the callback arrived with; a second callback with the same id is a duplicate.</summary>
    public required string MessageId { get; init; }

    public string? CallSid { get; init; }
    public string? Label { get; init; }
    public bool? Muted { get; init; }
    public bool? Hold { get; init; }
    public bool? Coaching { get; init; }
    public bool? EndConferenceOnExit { get; init; }
    public bool? StartConferenceOnEnter { get; init; }
    public ParticipantLeftReason? ReasonParticipantLeft { get; init; }
    public ConferenceEndedReason? ReasonConferenceEnded { get; init; }
    public string? CallSidEndingConference { get; init; }
    public string? AnnounceUrl { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The account the callback named (null in reports stored before accounts were recorded).</summary>
    public string? AccountSid { get; init; }
}

/// <summary>VoiceMesh dialled the call into the room for a request (Twilio answered the Participants create).</summary>
public sealed record ParticipantDialed
{
    public required string ConferenceSid { get; init; }
    public required string FriendlyName { get; init; }
    public required string RequestId { get; init; }
    public required string CallSid { get; init; }
    public required ParticipantRole Role { get; init; }

    /// <summary>The NumberPool lease the caller id came from, when the dial asked a pool for it.</summary>
    public Guid? LeaseId { get; init; }
    public string? CallSidToCoach { get; init; }
    public required DateTimeOffset DialedAt { get; init; }

    /// <summary>The account VoiceMesh dialled with (null in dials stored before accounts were recorded).</summary>
    public string? AccountSid { get; init; }
}

/// <summary>A recording callback of the conference's recording (<c>in-progress</c>, <c>completed</c>, ...).</summary>
public sealed record ConferenceRecordingReported
{
    public required string ConferenceSid { get; init; }
    public required string RecordingSid { get; init; }
    public required string Status { get; init; }
    public string? RecordingUrl { get; init; }
    public int? DurationSeconds { get; init; }
    public required string MessageId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The account the callback named (null in reports stored before accounts were recorded).</summary>
    public string? AccountSid { get; init; }
}

/// <summary>
/// A dialled participant whose caller id was leased from a number pool has left: the lease is to end. Decided once per
/// participant, whichever of its leave report and its dial's record reaches the stream last; the outbox sends
/// <c>ReleaseCallerId</c>.
/// </summary>
public sealed record CallerIdReleaseRequested
{
    public required string ConferenceSid { get; init; }
    public required string CallSid { get; init; }
    public required Guid LeaseId { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
}
