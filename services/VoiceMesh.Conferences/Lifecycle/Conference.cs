using System.Collections.Immutable;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>One participant as the conference's reports leave it.</summary>
public sealed record Participant
{
    public required string CallSid { get; init; }
    public string? Label { get; init; }
    public required ParticipantStatus Status { get; init; }
    public bool Muted { get; init; }
    public bool Hold { get; init; }
    public bool Coaching { get; init; }
    public string? CallSidToCoach { get; init; }
    public bool EndConferenceOnExit { get; init; }
    public bool StartConferenceOnEnter { get; init; }
    public ParticipantRole? Role { get; init; }
    public string? RequestId { get; init; }
    public DateTimeOffset? JoinedAt { get; init; }
    public DateTimeOffset? LeftAt { get; init; }
    public ParticipantLeftReason? ReasonLeft { get; init; }

    /// <summary>Seconds between Twilio's speech-start and speech-stop reports (to the leave when it never stopped).</summary>
    public int TalkSeconds { get; init; }
}

/// <summary>A recording of the conference, as its recording callbacks report it.</summary>
public sealed record ConferenceRecording(string RecordingSid, string Status, string? RecordingUrl, int? DurationSeconds);

/// <summary>A call VoiceMesh dialled into the room: who asked, in which role, and its caller-id lease (if any) and whether its end was requested.</summary>
public sealed record DialedParticipant(string CallSid, string RequestId, ParticipantRole Role, string? CallSidToCoach, Guid? LeaseId = null, bool LeaseReleased = false);

/// <summary>
/// Where a report stands in Twilio's order of the room's reports: <c>SequenceNumber</c>, then <c>Timestamp</c>, then
/// the event, then the message id (a missing value first).
/// </summary>
public sealed record ReportKey(int? Sequence, DateTimeOffset? Timestamp, ConferenceCallbackEvent Kind, string MessageId) : IComparable<ReportKey>
{
    public static ReportKey Of(ConferenceEventReported report) => new(report.SequenceNumber, report.Timestamp, report.Kind, report.MessageId);

    public int CompareTo(ReportKey? other)
    {
        if (other is null)
        {
            return 1;
        }

        var bySequence = Nullable.Compare(Sequence, other.Sequence);
        if (bySequence != 0)
        {
            return bySequence;
        }

        var byTime = Nullable.Compare(Timestamp, other.Timestamp);
        if (byTime != 0)
        {
            return byTime;
        }

        var byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(MessageId, other.MessageId);
    }

    public static bool operator <(ReportKey left, ReportKey right) => left.CompareTo(right) < 0;

    public static bool operator >(ReportKey left, ReportKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(ReportKey left, ReportKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ReportKey left, ReportKey right) => left.CompareTo(right) >= 0;
}

/// <summary>A value and the report it came from, so the one a fold keeps is chosen by the reports' order, not by their arrival.</summary>
public sealed record Reported<T>(T Value, ReportKey Key);

/// <summary>Which of two reported values a fold keeps: the later report's (a flag, a label) or the earlier one's (a join, a leave).</summary>
public static class Reported
{
    public static Reported<T>? Latest<T>(Reported<T>? kept, T? value, ReportKey key)
        where T : struct =>
        value is { } given && (kept is null || kept.Key < key) ? new Reported<T>(given, key) : kept;

    public static Reported<string>? Latest(Reported<string>? kept, string? value, ReportKey key) =>
        value is not null && (kept is null || kept.Key < key) ? new Reported<string>(value, key) : kept;

    public static Reported<T>? Earliest<T>(Reported<T>? kept, T? value, ReportKey key)
        where T : struct =>
        value is { } given && (kept is null || key < kept.Key) ? new Reported<T>(given, key) : kept;

    public static Reported<string>? Earliest(Reported<string>? kept, string? value, ReportKey key) =>
        value is not null && (kept is null || key < kept.Key) ? new Reported<string>(value, key) : kept;
}

/// <summary>A report that starts or ends a participant's speech (a leave ends it too), in the order talk time is summed in.</summary>
public sealed record SpeechReport(ReportKey Key, ConferenceCallbackEvent Kind, DateTimeOffset At);

/// <summary>
/// What a participant's reports said, each value with the report it came from, so any arrival order of the same
/// reports keeps the same values: flags and label from the latest report carrying them, join and leave from the first.
/// </summary>
public sealed record ParticipantReports
{
    public required string CallSid { get; init; }

    /// <summary>The participant's first report: the room lists its participants in this order.</summary>
    public required ReportKey First { get; init; }
    public Reported<string>? Label { get; init; }
    public Reported<bool>? Muted { get; init; }
    public Reported<bool>? Hold { get; init; }
    public Reported<bool>? Coaching { get; init; }
    public Reported<bool>? EndConferenceOnExit { get; init; }
    public Reported<bool>? StartConferenceOnEnter { get; init; }
    public Reported<DateTimeOffset>? Joined { get; init; }
    public Reported<DateTimeOffset>? Left { get; init; }
    public Reported<ParticipantLeftReason>? ReasonLeft { get; init; }
    public ImmutableList<SpeechReport> Speech { get; init; } = [];

    public ParticipantReports With(ConferenceEventReported report)
    {
        var key = ReportKey.Of(report);
        var at = report.Timestamp ?? report.ReceivedAt;
        var leave = report.Kind == ConferenceCallbackEvent.ParticipantLeave;
        return this with
        {
            First = key < First ? key : First,
            Label = Reported.Latest(Label, report.Label, key),
            Muted = Reported.Latest(Muted, report.Muted, key),
            Hold = Reported.Latest(Hold, report.Hold, key),
            Coaching = Reported.Latest(Coaching, report.Coaching, key),
            EndConferenceOnExit = Reported.Latest(EndConferenceOnExit, report.EndConferenceOnExit, key),
            StartConferenceOnEnter = Reported.Latest(StartConferenceOnEnter, report.StartConferenceOnEnter, key),
            Joined = report.Kind == ConferenceCallbackEvent.ParticipantJoin ? Reported.Earliest(Joined, at, key) : Joined,
            Left = leave ? Reported.Earliest(Left, at, key) : Left,
            ReasonLeft = leave ? Reported.Earliest(ReasonLeft, report.ReasonParticipantLeft, key) : ReasonLeft,
            Speech = report.Kind is ConferenceCallbackEvent.ParticipantSpeechStart or ConferenceCallbackEvent.ParticipantSpeechStop || leave
                ? Speech.Add(new SpeechReport(key, report.Kind, at)).Sort((x, y) => x.Key.CompareTo(y.Key))
                : Speech,
        };
    }

    /// <summary>Seconds between speech-start and speech-stop reports, in Twilio's order (to the leave when it never stopped).</summary>
    public int TalkSeconds()
    {
        DateTimeOffset? speaking = null;
        var seconds = 0;
        foreach (var report in Speech)
        {
            if (report.Kind == ConferenceCallbackEvent.ParticipantSpeechStart)
            {
                speaking ??= report.At;
            }
            else if (speaking is { } since)
            {
                seconds += report.At > since ? (int)(report.At - since).TotalSeconds : 0;
                speaking = null;
            }
        }

        return seconds;
    }
}

/// <summary>The latest accepted request of one kind for one participant (or for the room): a copy of an older one is stale.</summary>
public sealed record LatestRequest(string? CallSid, string Kind, string RequestId);

/// <summary>The participant a coach was last asked to coach (or to stop coaching), by the time of the request.</summary>
public sealed record CoachRequest(string CallSid, DateTimeOffset RequestedAt, string? CallSidToCoach);

/// <summary>
/// A conference's lifecycle, the write-side state of its stream (id: the ConferenceSid) and the document the read model
/// is served from. What Twilio reported is folded as values chosen by Twilio's order of the reports
/// (<see cref="ReportKey"/>: each flag from the latest report carrying it, each start, join and leave from the first),
/// so the state depends on the set of reports and never on their arrival order; <c>completed</c> is final, a
/// participant who left stays left. The document keeps what decisions and the read model need, not the reports
/// themselves: its size does not grow with the room's callbacks (the timeline is read from the stream).
/// </summary>
public sealed record Conference
{
    public required string Id { get; init; }

    /// <summary>The stream version the document folds (set by Marten): the read model's timeline is read up to it.</summary>
    public long Version { get; init; }
    public required string FriendlyName { get; init; }

    /// <summary>
    /// The Twilio account the conference belongs to: the one VoiceMesh dialled with, else the first callback's. A
    /// callback naming another account is refused (<see cref="BelongsToAnotherAccount"/>).
    /// </summary>
    public string? AccountSid { get; init; }

    public ConferenceStatus Status { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public ConferenceEndedReason? ReasonConferenceEnded { get; init; }
    public string? CallSidEndingConference { get; init; }
    public ImmutableList<Participant> Participants { get; init; } = [];
    public ImmutableList<DialedParticipant> Dialed { get; init; } = [];
    public ImmutableList<ConferenceRecording> Recordings { get; init; } = [];

    /// <summary>The sequence numbers of the reports applied: a callback Twilio sends again under another id has one of them.</summary>
    public ImmutableSortedSet<int> Sequences { get; init; } = [];

    /// <summary>The message ids of the reports applied that carried no sequence number.</summary>
    public ImmutableHashSet<string> Unsequenced { get; init; } = [];

    public ImmutableList<ParticipantReports> Reports { get; init; } = [];
    public Reported<DateTimeOffset>? Started { get; init; }
    public Reported<DateTimeOffset>? Ended { get; init; }
    public Reported<ConferenceEndedReason>? EndedReason { get; init; }
    public Reported<string>? EndingCall { get; init; }
    public ImmutableList<LatestRequest> LatestRequests { get; init; } = [];
    public ImmutableList<CoachRequest> CoachRequests { get; init; } = [];

    /// <summary>
    /// A report changes the conference unless the stream holds it already: the same message, or the same
    /// <c>SequenceNumber</c>. A dialled participant's leave also ends its caller-id lease.
    /// </summary>
    public static Decision Decide(Conference? conference, ConferenceEventReported report)
    {
        if (conference is not null && (conference.Holds(report) || conference.BelongsToAnotherAccount(report.AccountSid)))
        {
            return Decision.None;
        }

        return report is { Kind: ConferenceCallbackEvent.ParticipantLeave, CallSid: { } callSid }
            && conference?.Dialed.Find(d => d.CallSid == callSid) is { LeaseId: { } lease, LeaseReleased: false }
            ? new object[] { report, ReleaseRequested(report.ConferenceSid, callSid, lease, report.ReceivedAt) }
            : new object[] { report };
    }

    /// <summary>A dial is recorded once per request; when its participant has left already, its caller-id lease ends too.</summary>
    public static Decision Decide(Conference? conference, ParticipantDialed dialed)
    {
        if (conference?.Dialed.Exists(d => d.RequestId == dialed.RequestId) == true)
        {
            return Decision.None;
        }

        return dialed.LeaseId is { } lease && conference?.Participants.Exists(p => p.CallSid == dialed.CallSid && p.Status == ParticipantStatus.Left) == true
            ? new object[] { dialed, ReleaseRequested(dialed.ConferenceSid, dialed.CallSid, lease, dialed.DialedAt) }
            : new object[] { dialed };
    }

    /// <summary>A recording callback changes the recording unless it is the same message, or a status it has passed.</summary>
    public static Decision Decide(Conference? conference, ConferenceRecordingReported reported) =>
        conference?.BelongsToAnotherAccount(reported.AccountSid) == true
            || (conference?.Recordings.Find(r => r.RecordingSid == reported.RecordingSid) is { } known
                && (known.Status == reported.Status || known.Status == "completed"))
            ? Decision.None
            : new object[] { reported };

    /// <summary>The conference is known to belong to an account other than <paramref name="accountSid"/>.</summary>
    public bool BelongsToAnotherAccount(string? accountSid) =>
        AccountSid is not null && accountSid is not null && !string.Equals(AccountSid, accountSid, StringComparison.Ordinal);

    public static Conference Create(ConferenceEventReported e) => new Conference { Id = e.ConferenceSid, FriendlyName = e.FriendlyName }.Apply(e);

    public static Conference Create(ParticipantDialed e) => new Conference { Id = e.ConferenceSid, FriendlyName = e.FriendlyName }.Apply(e);

    public static Conference Create(ConferenceRecordingReported e) => new Conference { Id = e.ConferenceSid, FriendlyName = "" }.Apply(e);

    public Conference Apply(ConferenceEventReported e)
    {
        var key = ReportKey.Of(e);
        var at = e.Timestamp ?? e.ReceivedAt;
        var conference = this with
        {
            FriendlyName = e.FriendlyName,
            AccountSid = AccountSid ?? e.AccountSid,
            Sequences = e.SequenceNumber is { } sequence ? Sequences.Add(sequence) : Sequences,
            Unsequenced = e.SequenceNumber is null ? Unsequenced.Add(e.MessageId) : Unsequenced,
        };
        conference = e.Kind switch
        {
            ConferenceCallbackEvent.ConferenceStart => conference with { Started = Reported.Earliest(Started, at, key) },
            ConferenceCallbackEvent.ConferenceEnd => conference with
            {
                Ended = Reported.Earliest(Ended, at, key),
                EndedReason = Reported.Earliest(EndedReason, e.ReasonConferenceEnded, key),
                EndingCall = Reported.Earliest(EndingCall, e.CallSidEndingConference, key),
            },
            _ when e.CallSid is { } callSid => conference with
            {
                Reports = conference.Reports.FindIndex(p => p.CallSid == callSid) is var known and >= 0
                    ? conference.Reports.SetItem(known, conference.Reports[known].With(e))
                    : conference.Reports.Add(new ParticipantReports { CallSid = callSid, First = key }.With(e)),
            },
            _ => conference,
        };
        return conference.Fold();
    }

    public Conference Apply(ParticipantDialed e) => (this with
    {
        AccountSid = AccountSid ?? e.AccountSid,
        Dialed = Dialed.Add(new DialedParticipant(e.CallSid, e.RequestId, e.Role, e.CallSidToCoach, e.LeaseId)),
    }).Fold();

    public Conference Apply(CallerIdReleaseRequested e) => this with
    {
        Dialed = Dialed.Find(d => d.CallSid == e.CallSid) is { } dial ? Dialed.Replace(dial, dial with { LeaseReleased = true }) : Dialed,
    };

    public Conference Apply(ConferenceActionRequested e)
    {
        var kind = RequestKind(e.Action);
        var latest = new LatestRequest(e.CallSid, kind, e.RequestId);
        var coaching = e.Action is ConferenceAction.Coach or ConferenceAction.StopCoaching && e.CallSid is { } coach
            && CoachRequests.Find(c => c.CallSid == coach) is var last && (last is null || last.RequestedAt <= e.RequestedAt)
            ? CoachRequests.RemoveAll(c => c.CallSid == coach).Add(new CoachRequest(coach, e.RequestedAt, e.CallSidToCoach))
            : CoachRequests;
        return (this with
        {
            LatestRequests = LatestRequests.RemoveAll(r => r.CallSid == e.CallSid && r.Kind == kind).Add(latest),
            CoachRequests = coaching,
        }).Fold();
    }

    public Conference Apply(ConferenceRecordingReported e) => this with
    {
        AccountSid = AccountSid ?? e.AccountSid,
        Recordings = Recordings.FindIndex(r => r.RecordingSid == e.RecordingSid) is var at and >= 0
            ? Recordings.SetItem(at, new ConferenceRecording(e.RecordingSid, e.Status, e.RecordingUrl ?? Recordings[at].RecordingUrl, e.DurationSeconds ?? Recordings[at].DurationSeconds))
            : Recordings.Add(new ConferenceRecording(e.RecordingSid, e.Status, e.RecordingUrl, e.DurationSeconds)),
    };

    /// <summary>The participant in the room now, if <paramref name="callSid"/> is one.</summary>
    public Participant? Present(string callSid) =>
        Participants.Find(p => p.CallSid == callSid && p.Status == ParticipantStatus.Joined);

    /// <summary>Whether <paramref name="requestId"/> is the latest accepted request of its kind (mute, hold, coaching, removal, announcement, end) for <paramref name="callSid"/>.</summary>
    public bool IsLatestRequest(string? callSid, ConferenceAction action, string requestId) =>
        LatestRequests.Exists(r => r.CallSid == callSid && r.Kind == RequestKind(action) && r.RequestId == requestId);

    /// <summary>Whether the stream applied this report already: the same message, or the same <c>SequenceNumber</c>.</summary>
    private bool Holds(ConferenceEventReported report) =>
        report.SequenceNumber is { } sequence ? Sequences.Contains(sequence) : Unsequenced.Contains(report.MessageId);

    /// <summary>The kind of request a newer one of which overtakes an older one: mute and unmute are one kind, and so on.</summary>
    private static string RequestKind(ConferenceAction action) => action switch
    {
        ConferenceAction.Mute or ConferenceAction.Unmute => "mute",
        ConferenceAction.Hold or ConferenceAction.Unhold => "hold",
        ConferenceAction.Coach or ConferenceAction.StopCoaching => "coaching",
        _ => action.ToWire(),
    };

    /// <summary>Recomputes status and participants from the kept values, the dials and the requested coaching.</summary>
    private Conference Fold() => this with
    {
        Status = Ended is not null ? ConferenceStatus.Completed : Started is not null ? ConferenceStatus.InProgress : ConferenceStatus.Init,
        StartedAt = Started?.Value,
        EndedAt = Ended?.Value,
        ReasonConferenceEnded = EndedReason?.Value,
        CallSidEndingConference = EndingCall?.Value,
        Participants = [.. Reports.OrderBy(r => r.First).Select(reports =>
        {
            var dial = Dialed.Find(d => d.CallSid == reports.CallSid);
            var coaching = reports.Coaching?.Value ?? false;
            var target = CoachRequests.Find(c => c.CallSid == reports.CallSid) is { } requested ? requested.CallSidToCoach : dial?.CallSidToCoach;
            return new Participant
            {
                CallSid = reports.CallSid,
                Status = reports.Left is null ? ParticipantStatus.Joined : ParticipantStatus.Left,
                Label = reports.Label?.Value,
                Muted = reports.Muted?.Value ?? false,
                Hold = reports.Hold?.Value ?? false,
                Coaching = coaching,
                CallSidToCoach = coaching ? target : null,
                EndConferenceOnExit = reports.EndConferenceOnExit?.Value ?? false,
                StartConferenceOnEnter = reports.StartConferenceOnEnter?.Value ?? false,
                Role = dial?.Role,
                RequestId = dial?.RequestId,
                JoinedAt = reports.Joined?.Value,
                LeftAt = reports.Left?.Value,
                ReasonLeft = reports.ReasonLeft?.Value,
                TalkSeconds = reports.TalkSeconds(),
            };
        })],
    };

    private static CallerIdReleaseRequested ReleaseRequested(string conferenceSid, string callSid, Guid leaseId, DateTimeOffset at) =>
        new() { ConferenceSid = conferenceSid, CallSid = callSid, LeaseId = leaseId, RequestedAt = at };
}
