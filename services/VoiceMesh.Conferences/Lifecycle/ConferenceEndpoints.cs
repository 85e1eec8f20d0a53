using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>The read model <c>GET /api/conferences/{conferenceSid}</c> answers with, in Twilio's wire strings.</summary>
public sealed record ConferenceResponse(
    string ConferenceSid,
    string FriendlyName,
    string Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? ReasonConferenceEnded,
    string? CallSidEndingConference,
    IReadOnlyList<ParticipantResponse> Participants,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<ConferenceRecordingResponse> Recordings)
{
    /// <summary>The read model of <paramref name="conference"/>; its timeline from the reports and requests of its stream.</summary>
    public static ConferenceResponse Of(Conference conference, IEnumerable<object> stream)
    {
        var events = stream.ToList();
        return Of(conference, [
            .. events.OfType<ConferenceEventReported>()
                .OrderBy(ReportKey.Of)
                .Select(r => new TimelineEntry(r.Kind.ToWire(), r.SequenceNumber, r.Timestamp ?? r.ReceivedAt, r.CallSid, null))
                .Concat(events.OfType<ConferenceActionRequested>().Select(a => new TimelineEntry(a.Action.ToWire(), null, a.RequestedAt, a.CallSid, a.RequestId)))
                .OrderBy(e => e.At)
                .ThenBy(e => e.SequenceNumber),
        ]);
    }

    private static ConferenceResponse Of(Conference conference, IReadOnlyList<TimelineEntry> timeline) => new(
        conference.Id,
        conference.FriendlyName,
        conference.Status.ToWire(),
        conference.StartedAt,
        conference.EndedAt,
        conference.ReasonConferenceEnded?.ToWire(),
        conference.CallSidEndingConference,
        [.. conference.Participants.Select(ParticipantResponse.Of)],
        timeline,
        [.. conference.Recordings.Select(r => new ConferenceRecordingResponse(r.RecordingSid, r.Status, r.RecordingUrl, r.DurationSeconds))]);
}

/// <summary>A participant: <c>status</c> is <c>joined</c> while in the room and <c>left</c> after; <c>call</c> links to its call lifecycle.</summary>
public sealed record ParticipantResponse(
    string CallSid,
    string Call,
    string? Label,
    string Status,
    bool Muted,
    bool Hold,
    bool Coaching,
    string? CallSidToCoach,
    bool EndConferenceOnExit,
    bool StartConferenceOnEnter,
    string? Role,
    string? RequestId,
    DateTimeOffset? JoinedAt,
    DateTimeOffset? LeftAt,
    string? ReasonLeft,
    int TalkSeconds)
{
    public static ParticipantResponse Of(Participant p) => new(
        p.CallSid, $"/api/calls/{p.CallSid}", p.Label, p.Status.ToWire(), p.Muted, p.Hold, p.Coaching, p.CallSidToCoach,
        p.EndConferenceOnExit, p.StartConferenceOnEnter, p.Role?.ToWire(), p.RequestId, p.JoinedAt, p.LeftAt, p.ReasonLeft?.ToWire(), p.TalkSeconds);
}

/// <summary>One entry of the timeline: a Twilio event (with its sequence number) or a moderator's request (with its id).</summary>
public sealed record TimelineEntry(string Event, int? SequenceNumber, DateTimeOffset At, string? CallSid, string? RequestId);

public sealed record ConferenceRecordingResponse(string RecordingSid, string Status, string? RecordingUrl, int? DurationSeconds);

/// <summary>A conference in a list: its sid, name, status and how many are in the room.</summary>
public sealed record ConferenceSummary(string ConferenceSid, string FriendlyName, string Status, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, int Present);

internal static class ConferenceEndpoints
{
    /// <summary>The most conferences one list answer holds.</summary>
    public const int ListLimit = 200;

    public static RouteGroupBuilder MapConferenceEndpoints(this RouteGroupBuilder conferences)
    {
        conferences.MapGet("/{conferenceSid}", GetConference).WithName("GetConference");
        conferences.MapGet("/", ListConferences);
        return conferences;
    }

    private static async Task<Results<Ok<ConferenceResponse>, ProblemHttpResult>> GetConference(
        string conferenceSid, IQuerySession session, CancellationToken cancellationToken)
    {
        var conference = ConferenceSids.IsValid(conferenceSid) ? await session.LoadAsync<Conference>(conferenceSid, cancellationToken) : null;
        if (conference is null)
        {
            return ControlProblems.NotFound("Conference not found", $"No conference with sid {conferenceSid} is known.");
        }

        var stream = await session.Events.FetchStreamAsync(conferenceSid, conference.Version, token: cancellationToken);
        return TypedResults.Ok(ConferenceResponse.Of(conference, stream.Select(e => e.Data)));
    }

    private static async Task<Results<Ok<IReadOnlyList<ConferenceSummary>>, ValidationProblem>> ListConferences(
        string? name, string? status, IQuerySession session, CancellationToken cancellationToken)
    {
        if (!ServiceDefaults.ListParameters.TryStatus<ConferenceStatus>(status, LifecycleWire.ToWire, out var wanted, out var badStatus))
        {
            return badStatus;
        }

        if (name is { Length: > ConferenceSids.MaxFriendlyNameLength })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"name is at most {ConferenceSids.MaxFriendlyNameLength} characters."] });
        }

        IQueryable<Conference> query = session.Query<Conference>();
        if (name is not null)
        {
            query = query.Where(c => c.FriendlyName == name);
        }

        if (wanted is { } s)
        {
            query = query.Where(c => c.Status == s);
        }

        var found = await query.Take(ListLimit).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ConferenceSummary>>([.. found
            .OrderByDescending(c => c.StartedAt)
            .Select(c => new ConferenceSummary(c.Id, c.FriendlyName, c.Status.ToWire(), c.StartedAt, c.EndedAt, c.Participants.Count(p => p.Status == ParticipantStatus.Joined)))]);
    }
}
