using System.Collections.Immutable;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>
/// One dial into the room and what became of it: the Participants create attempted at most once at a time, with the
/// attempt whose answer is not known yet (<see cref="CreateAttempts"/>).
/// </summary>
public sealed record RoomDial(ParticipantDialRequested Request, string? CallSid = null, string? ConferenceSid = null, int? ErrorCode = null, string? Error = null)
{
    public bool Failed => ErrorCode is not null;

    public int Attempts { get; init; }

    /// <summary>The start of the newest attempt whose answer is not recorded yet, if any.</summary>
    public DateTimeOffset? AttemptInDoubtSince { get; init; }

    /// <summary>The delivery that owns the attempt in doubt.</summary>
    public string? AttemptBy { get; init; }

    public CreateStep Next(string deliveryId, DateTimeOffset now) =>
        CreateAttempts.Next(CallSid is not null || Failed, AttemptInDoubtSince, AttemptBy, deliveryId, now);
}

/// <summary>
/// A room VoiceMesh runs, by friendly name (stream <c>room:{friendlyName}</c>): its options, the dials into it, and the
/// sid Twilio gave its conference on the first join, which makes this document the friendly-name → sid index.
/// Decisions are pure functions of the room, its conference's state and the command.
/// </summary>
public sealed record Room
{
    public required string Id { get; init; }
    public required string FriendlyName { get; init; }
    public required string RequestId { get; init; }
    public required RoomOptions Options { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? ConferenceSid { get; init; }
    public ImmutableList<RoomDial> Dials { get; init; } = [];

    public static string StreamId(string friendlyName) => "room:" + friendlyName;

    /// <summary>
    /// A new name opens a room; so does a name whose conference has ended (a new generation). The same request again
    /// changes nothing; another request for a room that is open is refused.
    /// </summary>
    public static Verdict Decide(Room? room, Conference? conference, RoomCreated created)
    {
        if (room is null || conference?.Status == ConferenceStatus.Completed)
        {
            return room?.RequestId == created.RequestId ? Verdict.Nothing : Verdict.Accept(created);
        }

        return room.RequestId == created.RequestId
            ? Verdict.Nothing
            : Verdict.Reject(new(ConferenceRejection.ConferenceExists, "FriendlyName", $"Room {created.FriendlyName} is open already (request {room.RequestId})."));
    }

    /// <summary>
    /// Dials a participant into an open room with a free seat. Seats are the participants in the room now plus the
    /// dials not yet joined (nor failed, nor left).
    /// </summary>
    public static Verdict Decide(Room? room, Conference? conference, ParticipantDialRequested dial)
    {
        if (room is null)
        {
            return Verdict.Reject(CommandRejection.UnknownConference(dial.FriendlyName, "FriendlyName"));
        }

        if (room.Dials.Exists(d => d.Request.RequestId == dial.RequestId))
        {
            return Verdict.Nothing;
        }

        if (conference?.Status == ConferenceStatus.Completed)
        {
            return Verdict.Reject(CommandRejection.Ended(dial.FriendlyName, "FriendlyName"));
        }

        var seats = room.SeatsTaken(conference);
        if (seats >= room.Options.MaxParticipants)
        {
            return Verdict.Reject(new(ConferenceRejection.ConferenceFull, "FriendlyName",
                $"Room {dial.FriendlyName} is full: {seats} of {room.Options.MaxParticipants} participants are in it or being dialled."));
        }

        return Verdict.Accept(dial);
    }

    public int SeatsTaken(Conference? conference)
    {
        var present = conference?.Participants.Count(p => p.Status == ParticipantStatus.Joined) ?? 0;
        var dialing = Dials.Count(d => !d.Failed && (d.CallSid is null || conference?.Participants.Exists(p => p.CallSid == d.CallSid) != true));
        return present + dialing;
    }

    public RoomDial? Dial(string requestId) => Dials.Find(d => d.Request.RequestId == requestId);

    /// <summary>
    /// Records the dial's next attempt before Twilio is asked, owned by <paramref name="deliveryId"/>; only when the
    /// delivery may attempt (an attempt in doubt must have been looked up by its owner, or have lapsed, first).
    /// </summary>
    public Verdict StartAttempt(string requestId, string deliveryId, DateTimeOffset now) =>
        Dial(requestId) is { } dial && CreateAttempts.MayAttempt(dial.Next(deliveryId, now))
            ? Verdict.Accept(new ParticipantDialAttempted { FriendlyName = FriendlyName, RequestId = requestId, Attempt = dial.Attempts + 1, DeliveryId = deliveryId, AttemptedAt = now })
            : Verdict.Nothing;

    public Verdict Succeeded(string requestId, string callSid, string conferenceSid, DateTimeOffset now) =>
        Dial(requestId) is { CallSid: null, Failed: false }
            ? Verdict.Accept(new ParticipantDialSucceeded { FriendlyName = FriendlyName, RequestId = requestId, CallSid = callSid, ConferenceSid = conferenceSid, DialedAt = now })
            : Verdict.Nothing;

    public Verdict Failed(string requestId, int code, string message, DateTimeOffset now) =>
        Dial(requestId) is { CallSid: null, Failed: false }
            ? Verdict.Accept(new ParticipantDialFailed { FriendlyName = FriendlyName, RequestId = requestId, ErrorCode = code, Message = message, LeaseId = Dial(requestId)!.Request.LeaseId, FailedAt = now })
            : Verdict.Nothing;

    public static Room Create(RoomCreated e) => new()
    {
        Id = StreamId(e.FriendlyName),
        FriendlyName = e.FriendlyName,
        RequestId = e.RequestId,
        Options = e.Options,
        CreatedAt = e.CreatedAt,
    };

    /// <summary>Opened again after its conference ended: a fresh room under the same name.</summary>
    public Room Apply(RoomCreated e) => Create(e);

    public Room Apply(ParticipantDialRequested e) => this with { Dials = Dials.Add(new RoomDial(e)) };

    public Room Apply(ParticipantDialAttempted e) => this with
    {
        Dials = Dials.Replace(Dial(e.RequestId)!, Dial(e.RequestId)! with { Attempts = e.Attempt, AttemptInDoubtSince = e.AttemptedAt, AttemptBy = e.DeliveryId }),
    };

    public Room Apply(ParticipantDialSucceeded e) => this with
    {
        ConferenceSid = e.ConferenceSid,
        Dials = Dials.Replace(Dial(e.RequestId)!, Dial(e.RequestId)! with { CallSid = e.CallSid, ConferenceSid = e.ConferenceSid, AttemptInDoubtSince = null, AttemptBy = null }),
    };

    public Room Apply(ParticipantDialFailed e) => this with
    {
        Dials = Dials.Replace(Dial(e.RequestId)!, Dial(e.RequestId)! with { ErrorCode = e.ErrorCode, Error = e.Message, AttemptInDoubtSince = null, AttemptBy = null }),
    };
}
