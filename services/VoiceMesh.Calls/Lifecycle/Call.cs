using System.Collections.Immutable;
using VoiceMesh.Calls.CallRecordings;
using VoiceMesh.Calls.CallStreams;
using VoiceMesh.Calls.Costs;
using VoiceMesh.Calls.Flows;
using VoiceMesh.Calls.MachineDetection;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Calls.Reconciliation;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Lifecycle;

/// <summary>How long a call spent in each phase, in whole seconds.</summary>
public sealed record CallTimings(int? QueuedToRingingSeconds, int? RingingToAnsweredSeconds, int? TalkSeconds);

/// <summary>One applied status report, as the history shows it.</summary>
public sealed record CallHistoryEntry(CallStatus Status, int? SequenceNumber, DateTimeOffset? Timestamp, ReportSource Source, string MessageId);

/// <summary>
/// A call's lifecycle, the write-side state of its stream (and the document the read model is served from). The
/// current status is the furthest report by Twilio's lifecycle, so it depends on the set of reports and never on
/// their arrival order: a terminal status beats every live one, and among equals the later <c>SequenceNumber</c> wins.
/// </summary>
public sealed record Call
{
    public required string Id { get; init; }
    public required CallStatus Status { get; init; }

    /// <summary>
    /// The Twilio account the call belongs to: its placement's, else the first callback's that named one. A status or
    /// AMD callback naming another account is refused (<see cref="BelongsToAnotherAccount"/>).
    /// </summary>
    public string? AccountSid { get; init; }

    public string? Direction { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public AnsweredBy? AnsweredBy { get; init; }
    public int? DurationSeconds { get; init; }

    /// <summary>The SIP response of the call's end, e.g. 486 for busy.</summary>
    public int? SipResponseCode { get; init; }

    /// <summary>The PlaceCall request that created the call, for calls VoiceMesh placed.</summary>
    public string? RequestId { get; init; }

    public int? PlacementAttempts { get; init; }

    /// <summary>The lease of the caller id the call was placed from, when it came from a pool.</summary>
    public Guid? LeaseId { get; init; }

    /// <summary>Whether the call's end asked NumberPool to end <see cref="LeaseId"/>.</summary>
    public bool CallerIdReleased { get; init; }

    /// <summary>What the call's costs roll up under, from its placement (<see cref="CallPlaced"/>).</summary>
    public string? Tenant { get; init; }
    public string? Campaign { get; init; }
    public string? CallerIdPool { get; init; }
    public string? FlowName { get; init; }

    public DateTimeOffset? RequestedAt { get; init; }
    public DateTimeOffset? PlacedAt { get; init; }

    /// <summary>The W3C trace id of the PlaceCall, which every callback of the call continues; null for calls VoiceMesh did not place.</summary>
    public string? TraceId { get; init; }

    /// <summary>What Twilio charged for the call, once it was final and priced (<see cref="CallPriced"/>); null until then.</summary>
    public Money? Price { get; init; }

    /// <summary>When pricing last asked Twilio about the call and found no price yet (<see cref="CallPriceChecked"/>).</summary>
    public DateTimeOffset? PriceCheckedAt { get; init; }

    /// <summary>How often pricing asked Twilio about the call and found no price.</summary>
    public int PriceChecks { get; init; }

    /// <summary>When pricing asks Twilio about the call again, after it found no price; null before the first look.</summary>
    public DateTimeOffset? PriceCheckDueAt { get; init; }

    /// <summary>When the lifecycle last changed (by the time its events were received).</summary>
    public DateTimeOffset? LastChangedAt { get; init; }

    /// <summary>When reconciliation last asked Twilio about the call and got an answer (a state or an error).</summary>
    public DateTimeOffset? LastCheckedAt { get; init; }

    /// <summary>Twilio's error code when reconciliation last asked about the call and Twilio refused (20404: not known).</summary>
    public int? ReconciliationErrorCode { get; init; }

    /// <summary>The later of <see cref="LastChangedAt"/> and <see cref="LastCheckedAt"/>: how long the call has been quiet.</summary>
    public DateTimeOffset? QuietSince { get; init; }

    /// <summary>Stored with the document so queries can select live calls without naming statuses.</summary>
    public bool IsTerminal { get; init; }

    /// <summary>The message id of the applied AMD result, so a redelivered one changes nothing.</summary>
    public string? AmdMessageId { get; init; }

    /// <summary>When a machine action was requested for the call; one per call.</summary>
    public DateTimeOffset? MachineActionRequestedAt { get; init; }

    /// <summary>The flow that answered the call and the path the caller took, for calls a flow answered.</summary>
    public CallFlow? Flow { get; init; }

    /// <summary>The queue the caller waits in or last waited in.</summary>
    public QueuePlace? Queue { get; init; }

    /// <summary>The call's recordings the Recordings service archived (or purged since), in the order they were first seen.</summary>
    public ImmutableList<CallRecording> Recordings { get; init; } = [];

    /// <summary>The call's Media Streams, in the order they were first heard of.</summary>
    public ImmutableList<CallStreamEntry> Streams { get; init; } = [];

    /// <summary>Applied reports ordered by <c>SequenceNumber</c>, then <c>Timestamp</c>.</summary>
    public ImmutableList<CallHistoryEntry> History { get; init; } = [];

    /// <summary>
    /// A status report changes the call unless the stream holds it already: the same message, or Twilio's same
    /// event (same <c>SequenceNumber</c> and status) under another id.
    /// </summary>
    public static Decision Decide(Call? call, CallStatusReported report) =>
        call is null ? new object[] { report }
        : call.BelongsToAnotherAccount(report.AccountSid) ? Decision.None
        : call.AlreadyHas(report.MessageId, report.Status, report.SequenceNumber) ? Decision.None
        : call.Reported(report);

    /// <summary>
    /// The events of a new report: the report, and when it ends a call placed from a pooled caller id, the lease's
    /// release (once, whichever terminal report comes first).
    /// </summary>
    public Decision Reported(CallStatusReported report) =>
        report.Status.IsTerminal() && LeaseId is { } lease && !CallerIdReleased
            ? new object[] { report, new CallerIdReleaseRequested(lease, report.ReceivedAt) }
            : new object[] { report };

    /// <summary>
    /// The call learns who placed it once; the placement records it again after a retry, which changes nothing. A
    /// pooled caller id's lease is released at once when the call's end was reported before the placement was recorded.
    /// </summary>
    public static Decision Decide(Call? call, CallPlaced placed) =>
        call?.RequestId == placed.RequestId ? Decision.None
        : call is { IsTerminal: true } && placed.LeaseId is { } lease
            ? new object[] { placed, new CallerIdReleaseRequested(lease, placed.PlacedAt) }
            : new object[] { placed };

    /// <summary>
    /// A final call is priced once: a price read again (a second run, another instance) changes nothing, and a call
    /// that is gone or still live is not priced.
    /// </summary>
    public static Decision Decide(Call? call, CallPriced priced) =>
        call is { IsTerminal: true, Price: null } ? new object[] { priced } : Decision.None;

    public static Call Create(CallStatusReported e) =>
        new Call { Id = e.CallSid, Status = e.Status }.Apply(e);

    /// <summary>Twilio creates a placed call <c>queued</c>; status reports move it on from there.</summary>
    public static Call Create(CallPlaced e) =>
        new Call { Id = e.CallSid, Status = CallStatus.Queued }.Apply(e);

    /// <summary>A stream can be heard of before any status callback of its call: the call starts from it, status callbacks move it on.</summary>
    public static Call Create(CallStreamStarted e) => new Call { Id = e.CallSid, Status = CallStatus.Queued }.Apply(e);

    public static Call Create(CallStreamStopped e) => new Call { Id = e.CallSid, Status = CallStatus.Queued }.Apply(e);

    public static Call Create(CallStreamRestarted e) => new Call { Id = e.CallSid, Status = CallStatus.Queued }.Apply(e);

    public Call Apply(CallStreamStarted e) =>
        WithStream(e.StreamSid, s => s with { Tracks = e.Tracks, CustomParameters = e.CustomParameters, StartedAt = e.StartedAt });

    public Call Apply(CallStreamStopped e) => WithStream(e.StreamSid, s => s with { StopReason = e.Reason, StoppedAt = e.StoppedAt });

    public Call Apply(CallStreamRestarted e) => WithStream(e.StreamSid, s => s with { RestartedAs = e.RestartedAs, DroppedAt = e.DroppedAt });

    private Call WithStream(string streamSid, Func<CallStreamEntry, CallStreamEntry> change) => this with
    {
        Streams = Streams.FindIndex(s => s.StreamSid == streamSid) is var at and >= 0
            ? Streams.SetItem(at, change(Streams[at]))
            : Streams.Add(change(CallStreamEntry.Of(streamSid))),
    };

    public static Call Create(AnsweredByDetected e) =>
        new Call { Id = e.CallSid, Status = CallStatus.Queued }.Apply(e);

    /// <summary>An incoming call's stream starts when a flow answers it; status callbacks follow.</summary>
    public static Call Create(FlowStarted e) =>
        new Call { Id = e.CallSid, Status = e.CallStatus, IsTerminal = e.CallStatus.IsTerminal() }.Apply(e);

    public Call Apply(FlowStarted e) => Touched(e.StartedAt) with
    {
        Direction = Direction ?? e.Direction,
        From = From ?? e.From,
        To = To ?? e.To,
        Flow = new CallFlow(e.FlowId, e.Version, []),
    };

    public Call Apply(FlowStepEntered e) => Marked(new FlowPathEntry(e.Step, e.Type, e.EnteredAt, Branch: e.Branch));

    public Call Apply(CallerInputReceived e) =>
        Marked(new FlowPathEntry(e.Step, FlowStepType.Menu, e.ReceivedAt, Input: e.Digits ?? e.Speech, Result: e.Outcome == MenuOutcome.Matched ? e.Chosen : e.Outcome.ToWire()));

    public Call Apply(DialEnded e) =>
        Marked(new FlowPathEntry(e.Step, Flow?.Path.LastOrDefault(p => p.Step == e.Step)?.Type ?? FlowStepType.Forward, e.EndedAt, Result: e.Status.ToWire()));

    public Call Apply(VoicemailRecorded e) =>
        Marked(new FlowPathEntry(e.Step, FlowStepType.Voicemail, e.RecordedAt, Result: e.RecordingSid is null ? "empty" : "recorded"));

    public Call Apply(QueueJoined e) => Marked(new FlowPathEntry(e.Step, FlowStepType.Queue, e.ReportedAt, Result: "waiting")) with
    {
        Queue = new QueuePlace
        {
            Name = e.Queue,
            Step = e.Step,
            QueueSid = e.QueueSid,
            Position = e.Position,
            EnqueuedAt = e.ReportedAt - TimeSpan.FromSeconds(e.QueueTimeSeconds),
            ReportedAt = e.ReportedAt,
            WaitingIn = e.Queue,
        },
    };

    public Call Apply(QueuePositionReported e) => Queue is null ? this : this with
    {
        Queue = Queue with { Position = e.Position, ReportedAt = e.ReportedAt },
    };

    public Call Apply(QueueLeft e) => Marked(new FlowPathEntry(e.Step, FlowStepType.Queue, e.LeftAt, Result: e.Result.ToWire())) with
    {
        Queue = (Queue ?? new QueuePlace
        {
            Name = e.Queue, Step = e.Step, Position = 0, EnqueuedAt = e.LeftAt - TimeSpan.FromSeconds(e.QueueTimeSeconds ?? 0), ReportedAt = e.LeftAt,
        }) with { Result = e.Result, LeftAt = e.LeftAt, WaitingIn = null },
    };

    private Call Marked(FlowPathEntry entry) => Flow is null ? Touched(entry.At) : Touched(entry.At) with { Flow = Flow with { Path = Flow.Path.Add(entry) } };

    private Call Touched(DateTimeOffset at) => this with { LastChangedAt = Later(LastChangedAt, at), QuietSince = Later(QuietSince, at) };

    public Call Apply(AnsweredByDetected e) =>
        this with
        {
            AccountSid = AccountSid ?? e.AccountSid,
            AnsweredBy = e.AnsweredBy,
            AmdMessageId = e.MessageId,
            LastChangedAt = Later(LastChangedAt, e.DetectedAt),
            QuietSince = Later(QuietSince, e.DetectedAt),
        };

    public Call Apply(MachineActionRequested e) =>
        this with { MachineActionRequestedAt = e.RequestedAt, LastChangedAt = Later(LastChangedAt, e.RequestedAt) };

    public Call Apply(CallRecordingLinked e) => this with
    {
        Recordings = Recordings.FindIndex(r => r.RecordingSid == e.RecordingSid) is var at and >= 0
            ? Recordings.SetItem(at, new CallRecording(e.RecordingSid, e.Status))
            : Recordings.Add(new CallRecording(e.RecordingSid, e.Status)),
    };

    public Call Apply(CallReconciliationChecked e) =>
        this with { LastCheckedAt = e.CheckedAt, QuietSince = Later(QuietSince, e.CheckedAt), ReconciliationErrorCode = null };

    public Call Apply(CallReconciliationRefused e) =>
        this with { LastCheckedAt = e.CheckedAt, QuietSince = Later(QuietSince, e.CheckedAt), ReconciliationErrorCode = e.ErrorCode };

    /// <summary>The placement knows the call's account for certain: it overrides what an earlier callback claimed.</summary>
    public Call Apply(CallPlaced e) => this with
    {
        AccountSid = e.AccountSid ?? AccountSid,
        Direction = Direction ?? "outbound-api",
        From = From ?? e.From,
        To = To ?? e.To,
        RequestId = e.RequestId,
        PlacementAttempts = e.Attempts,
        LeaseId = e.LeaseId,
        Tenant = e.Tenant,
        Campaign = e.Campaign,
        CallerIdPool = e.CallerIdPool,
        FlowName = e.FlowName,
        TraceId = e.TraceId,
        RequestedAt = e.RequestedAt,
        PlacedAt = e.PlacedAt,
        LastChangedAt = Later(LastChangedAt, e.PlacedAt),
        QuietSince = Later(QuietSince, e.PlacedAt),
    };

    public Call Apply(CallerIdReleaseRequested e) => this with { CallerIdReleased = true };

    public Call Apply(CallPriced e) => this with { Price = e.Price };

    public Call Apply(CallPriceChecked e) =>
        this with { PriceCheckedAt = e.CheckedAt, PriceChecks = PriceChecks + 1, PriceCheckDueAt = e.NextCheckAt };

    private static DateTimeOffset Later(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c > candidate ? c : candidate;

    public Call Apply(CallStatusReported e)
    {
        var entry = new CallHistoryEntry(e.Status, e.SequenceNumber, e.Timestamp, e.Source, e.MessageId);
        var history = History.Add(entry).Sort(HistoryOrder.Instance);
        var current = history.Max(LifecycleOrder.Instance)!;
        return this with
        {
            Status = current.Status,
            IsTerminal = current.Status.IsTerminal(),
            History = history,
            AccountSid = AccountSid ?? e.AccountSid,
            Direction = Direction ?? e.Direction,
            From = From ?? e.From,
            To = To ?? e.To,
            AnsweredBy = e.AnsweredBy ?? AnsweredBy,
            DurationSeconds = e.DurationSeconds ?? DurationSeconds,
            SipResponseCode = e.SipResponseCode ?? SipResponseCode,
            LastChangedAt = Later(LastChangedAt, e.ReceivedAt),
            QuietSince = Later(QuietSince, e.ReceivedAt),
        };
    }

    /// <summary>
    /// Whether a callback naming <paramref name="accountSid"/> comes from another account than the call's: a valid
    /// signature of that account (a subaccount the gateway serves) for a call of this one, which must not change it.
    /// False while the call's account is not known, and for reports that name none (reconciliation).
    /// </summary>
    public bool BelongsToAnotherAccount(string? accountSid) =>
        AccountSid is not null && accountSid is not null && !string.Equals(AccountSid, accountSid, StringComparison.Ordinal);

    /// <summary>
    /// Whether a report adds nothing: the same message was applied already, or Twilio's same event
    /// (same <c>SequenceNumber</c> and status) arrived again under another id.
    /// </summary>
    public bool AlreadyHas(string messageId, CallStatus status, int? sequenceNumber) =>
        History.Exists(h => h.MessageId == messageId
            || (sequenceNumber is not null && h.SequenceNumber == sequenceNumber && h.Status == status));

    /// <summary>
    /// Seconds from queued to ringing, ringing to answered, and of talk (Twilio's CallDuration, else answered to
    /// end), from the reports' Twilio timestamps; null where the call never got there.
    /// </summary>
    public CallTimings Timings()
    {
        DateTimeOffset? At(Func<CallStatus, bool> status) =>
            History.Where(h => status(h.Status) && h.Timestamp is not null).Select(h => h.Timestamp).Min();
        var queued = At(s => s is CallStatus.Queued or CallStatus.Initiated) ?? PlacedAt;
        var ringing = At(s => s == CallStatus.Ringing);
        var answered = At(s => s == CallStatus.InProgress);
        var ended = At(s => s.IsTerminal());
        return new CallTimings(
            Seconds(queued, ringing),
            Seconds(ringing, answered),
            answered is null ? null : DurationSeconds ?? Seconds(answered, ended));
    }

    private static int? Seconds(DateTimeOffset? from, DateTimeOffset? to) =>
        from is { } f && to is { } t && t >= f ? (int)(t - f).TotalSeconds : null;

    private sealed class HistoryOrder : IComparer<CallHistoryEntry>
    {
        public static readonly HistoryOrder Instance = new();

        public int Compare(CallHistoryEntry? x, CallHistoryEntry? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            var bySequence = Nullable.Compare(x.SequenceNumber, y.SequenceNumber);
            if (bySequence != 0)
            {
                return bySequence;
            }

            var byTime = Nullable.Compare(x.Timestamp, y.Timestamp);
            return byTime != 0 ? byTime : LifecycleOrder.Instance.Compare(x, y);
        }
    }

    private sealed class LifecycleOrder : IComparer<CallHistoryEntry>
    {
        public static readonly LifecycleOrder Instance = new();

        public int Compare(CallHistoryEntry? x, CallHistoryEntry? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            var byRank = x.Status.Rank().CompareTo(y.Status.Rank());
            if (byRank != 0)
            {
                return byRank;
            }

            var bySequence = Nullable.Compare(x.SequenceNumber, y.SequenceNumber);
            if (bySequence != 0)
            {
                return bySequence;
            }

            var byTime = Nullable.Compare(x.Timestamp, y.Timestamp);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.MessageId, y.MessageId);
        }
    }
}
