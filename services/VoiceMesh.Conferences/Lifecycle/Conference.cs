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
/// A conference's lifecycle, the write-side state of its stream (id: the ConferenceSid) and the document the read model
/// is served from. Everything Twilio reported is kept as reports ordered by Twilio's <c>SequenceNumber</c> (then
/// <c>Timestamp</c>), and the state is folded from them in that order, so it depends on the set of reports and never
/// on their arrival order; <c>completed</c> is final, a participant who left stays left.
/// </summary>
public sealed record Conference
{
    public required string Id { get; init; }
    public required string FriendlyName { get; init; }
    public ConferenceStatus Status { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public ConferenceEndedReason? ReasonConferenceEnded { get; init; }
    public string? CallSidEndingConference { get; init; }
    public ImmutableList<Participant> Participants { get; init; } = [];
    public ImmutableList<ConferenceEventReported> Reports { get; init; } = [];
    public ImmutableList<DialedParticipant> Dialed { get; init; } = [];
    public ImmutableList<ConferenceActionRequested> Actions { get; init; } = [];
    public ImmutableList<ConferenceRecording> Recordings { get; init; } = [];

    /// <summary>
    /// A report changes the conference unless the stream holds it already: the same message, or the same
    /// <c>SequenceNumber</c>. A dialled participant's leave also ends its caller-id lease.
    /// </summary>
    public static Decision Decide(Conference? conference, ConferenceEventReported report)
    {
        if (conference is not null && conference.Reports.Exists(r => r.MessageId == report.MessageId
            || (report.SequenceNumber is not null && r.SequenceNumber == report.SequenceNumber)))
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
        conference?.Recordings.Find(r => r.RecordingSid == reported.RecordingSid) is { } known
            && (known.Status == reported.Status || known.Status == "completed")
            ? Decision.None
            : new object[] { reported };

    public static Conference Create(ConferenceEventReported e) => new Conference { Id = e.ConferenceSid, FriendlyName = e.FriendlyName }.Apply(e);

    public static Conference Create(ParticipantDialed e) => new Conference { Id = e.ConferenceSid, FriendlyName = e.FriendlyName }.Apply(e);

    public static Conference Create(ConferenceRecordingReported e) => new Conference { Id = e.ConferenceSid, FriendlyName = "" }.Apply(e);

    public Conference Apply(ConferenceEventReported e) => Fold(this with
    {
        FriendlyName = e.FriendlyName,
        Reports = Reports.Add(e).Sort(ReportOrder.Instance),
    });

    public Conference Apply(ParticipantDialed e) => Fold(this with
    {
        Dialed = Dialed.Add(new DialedParticipant(e.CallSid, e.RequestId, e.Role, e.CallSidToCoach, e.LeaseId)),
    });

    public Conference Apply(CallerIdReleaseRequested e) => this with
    {
        Dialed = Dialed.Find(d => d.CallSid == e.CallSid) is { } dial ? Dialed.Replace(dial, dial with { LeaseReleased = true }) : Dialed,
    };

    public Conference Apply(ConferenceActionRequested e) => Fold(this with { Actions = Actions.Add(e) });

    public Conference Apply(ConferenceRecordingReported e) => this with
    {
        Recordings = Recordings.FindIndex(r => r.RecordingSid == e.RecordingSid) is var at and >= 0
            ? Recordings.SetItem(at, new ConferenceRecording(e.RecordingSid, e.Status, e.RecordingUrl ?? Recordings[at].RecordingUrl, e.DurationSeconds ?? Recordings[at].DurationSeconds))
            : Recordings.Add(new ConferenceRecording(e.RecordingSid, e.Status, e.RecordingUrl, e.DurationSeconds)),
    };

    /// <summary>The participant in the room now, if <paramref name="callSid"/> is one.</summary>
    public Participant? Present(string callSid) =>
        Participants.Find(p => p.CallSid == callSid && p.Status == ParticipantStatus.Joined);

    /// <summary>Recomputes status and participants from the ordered reports, the dials and the requested coaching.</summary>
    private static Conference Fold(Conference conference)
    {
        var status = ConferenceStatus.Init;
        DateTimeOffset? started = null, ended = null;
        ConferenceEndedReason? endedReason = null;
        string? endingCall = null;
        var participants = new Dictionary<string, Participant>(StringComparer.Ordinal);
        var speaking = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var report in conference.Reports)
        {
            switch (report.Kind)
            {
                case ConferenceCallbackEvent.ConferenceStart:
                    status = status == ConferenceStatus.Completed ? status : ConferenceStatus.InProgress;
                    started ??= report.Timestamp ?? report.ReceivedAt;
                    continue;
                case ConferenceCallbackEvent.ConferenceEnd:
                    status = ConferenceStatus.Completed;
                    ended ??= report.Timestamp ?? report.ReceivedAt;
                    endedReason ??= report.ReasonConferenceEnded;
                    endingCall ??= report.CallSidEndingConference;
                    continue;
            }

            if (report.CallSid is not { } callSid)
            {
                continue;
            }

            if (!participants.TryGetValue(callSid, out var participant))
            {
                order.Add(callSid);
                participant = new Participant { CallSid = callSid, Status = ParticipantStatus.Joined };
            }

            var at = report.Timestamp ?? report.ReceivedAt;
            participant = participant with
            {
                Label = report.Label ?? participant.Label,
                Muted = report.Muted ?? participant.Muted,
                Hold = report.Hold ?? participant.Hold,
                Coaching = report.Coaching ?? participant.Coaching,
                EndConferenceOnExit = report.EndConferenceOnExit ?? participant.EndConferenceOnExit,
                StartConferenceOnEnter = report.StartConferenceOnEnter ?? participant.StartConferenceOnEnter,
            };
            switch (report.Kind)
            {
                case ConferenceCallbackEvent.ParticipantJoin:
                    participant = participant with { JoinedAt = participant.JoinedAt ?? at };
                    break;
                case ConferenceCallbackEvent.ParticipantLeave:
                    participant = participant with { Status = ParticipantStatus.Left, LeftAt = participant.LeftAt ?? at, ReasonLeft = participant.ReasonLeft ?? report.ReasonParticipantLeft };
                    if (speaking.Remove(callSid, out var since))
                    {
                        participant = participant with { TalkSeconds = participant.TalkSeconds + Seconds(since, at) };
                    }

                    break;
                case ConferenceCallbackEvent.ParticipantSpeechStart:
                    speaking.TryAdd(callSid, at);
                    break;
                case ConferenceCallbackEvent.ParticipantSpeechStop when speaking.Remove(callSid, out var start):
                    participant = participant with { TalkSeconds = participant.TalkSeconds + Seconds(start, at) };
                    break;
            }

            participants[callSid] = participant;
        }

        var coached = conference.Actions
            .Where(a => a.Action is ConferenceAction.Coach or ConferenceAction.StopCoaching && a.CallSid is not null)
            .GroupBy(a => a.CallSid!)
            .ToDictionary(g => g.Key, g => g.OrderBy(a => a.RequestedAt).Last().CallSidToCoach, StringComparer.Ordinal);
        return conference with
        {
            Status = status,
            StartedAt = started,
            EndedAt = ended,
            ReasonConferenceEnded = endedReason,
            CallSidEndingConference = endingCall,
            Participants = [.. order.Select(callSid =>
            {
                var participant = participants[callSid];
                var dial = conference.Dialed.Find(d => d.CallSid == callSid);
                var coaching = coached.TryGetValue(callSid, out var target) ? target : dial?.CallSidToCoach;
                return participant with
                {
                    Role = dial?.Role,
                    RequestId = dial?.RequestId,
                    CallSidToCoach = participant.Coaching ? coaching : null,
                };
            })],
        };
    }

    private static CallerIdReleaseRequested ReleaseRequested(string conferenceSid, string callSid, Guid leaseId, DateTimeOffset at) =>
        new() { ConferenceSid = conferenceSid, CallSid = callSid, LeaseId = leaseId, RequestedAt = at };

    private static int Seconds(DateTimeOffset from, DateTimeOffset to) => to > from ? (int)(to - from).TotalSeconds : 0;

    /// <summary>Twilio's order: <c>SequenceNumber</c>, then <c>Timestamp</c>, then the event, then the message id.</summary>
    private sealed class ReportOrder : IComparer<ConferenceEventReported>
    {
        public static readonly ReportOrder Instance = new();

        public int Compare(ConferenceEventReported? x, ConferenceEventReported? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            var bySequence = Nullable.Compare(x.SequenceNumber, y.SequenceNumber);
            if (bySequence != 0)
            {
                return bySequence;
            }

            var byTime = Nullable.Compare(x.Timestamp, y.Timestamp);
            if (byTime != 0)
            {
                return byTime;
            }

            var byKind = x.Kind.CompareTo(y.Kind);
            return byKind != 0 ? byKind : string.CompareOrdinal(x.MessageId, y.MessageId);
        }
    }
}
