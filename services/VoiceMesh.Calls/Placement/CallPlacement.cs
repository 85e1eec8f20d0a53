using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Placement;

/// <summary>
/// What became of one PlaceCall request; the stream id is <c>placement:{requestId}</c>. Its decisions are pure
/// functions of its state, the command and the time.
/// </summary>
public sealed record CallPlacement
{
    public const string Requested = "requested";
    public const string Placed = "placed";
    public const string Failed = "failed";
    public const string Rejected = "rejected";

    public required string Id { get; init; }
    public required string RequestId { get; init; }
    public required string Status { get; init; }
    public PlacementRequested? Request { get; init; }
    public string? CallSid { get; init; }
    public int Attempts { get; init; }

    /// <summary>The start of the newest attempt whose outcome is not recorded yet, if any.</summary>
    public DateTimeOffset? AttemptInDoubtSince { get; init; }

    /// <summary>The delivery that owns the attempt in doubt.</summary>
    public string? AttemptBy { get; init; }

    public int? ErrorCode { get; init; }
    public string? Error { get; init; }
    public string? RejectedField { get; init; }
    public DateTimeOffset? RequestedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    public bool IsFinished => Status is Placed or Failed or Rejected;

    public static string StreamId(string requestId) => "placement:" + requestId;

    /// <summary>A valid request starts its stream; a request known already changes nothing.</summary>
    public static Decision Accept(CallPlacement? existing, PlacementRequested requested) =>
        existing is null ? new object[] { requested } : Decision.None;

    /// <summary>An invalid request is recorded as rejected, naming its field, unless the request id is known already.</summary>
    public static Decision Reject(CallPlacement? existing, PlacementRejected rejected) =>
        existing is null ? new object[] { rejected } : Decision.None;

    /// <summary>What the delivery <paramref name="deliveryId"/> should do next.</summary>
    public CreateStep Next(string deliveryId, DateTimeOffset now) =>
        CreateAttempts.Next(IsFinished || Request is null, AttemptInDoubtSince, AttemptBy, deliveryId, now);

    /// <summary>
    /// Records the next attempt before Twilio is asked, owned by <paramref name="deliveryId"/>. Only when the
    /// delivery may attempt: an attempt in doubt must have been looked up by its owner (or have lapsed) first.
    /// </summary>
    public Decision StartAttempt(string deliveryId, DateTimeOffset now) =>
        CreateAttempts.MayAttempt(Next(deliveryId, now))
            ? new object[] { new PlacementAttemptStarted(RequestId, Attempts + 1, now, deliveryId) }
            : Decision.None;

    /// <summary>
    /// Twilio answered <paramref name="attempt"/> with an error: transient ones (429, 5xx) leave the placement going,
    /// any other code fails it for good with Twilio's code.
    /// </summary>
    public Decision Refused(int attempt, int httpStatus, int code, string message, DateTimeOffset now)
    {
        if (IsFinished || attempt != Attempts)
        {
            return Decision.None;
        }

        if (TwilioErrors.IsTransient(httpStatus, code))
        {
            return new object[] { new PlacementAttemptFailed(RequestId, attempt, code, httpStatus, message) };
        }

        var failed = new PlacementFailed(RequestId, code, message, attempt, now);
        return Request?.LeaseId is { } lease
            ? new object[] { failed, new PlacementLeaseReleased(lease, now) }
            : new object[] { failed };
    }

    /// <summary>The request of <paramref name="attempt"/> never reached Twilio (an open circuit): the attempt is not in doubt.</summary>
    public Decision NotSent(int attempt, string reason) =>
        IsFinished || attempt != Attempts ? Decision.None : new object[] { new PlacementAttemptFailed(RequestId, attempt, null, null, reason) };

    /// <summary>Twilio created the call: the placement is done.</summary>
    public Decision Succeed(string callSid, bool foundByLookup, DateTimeOffset now) =>
        IsFinished || Request is null
            ? Decision.None
            : new object[] { new PlacementSucceeded(RequestId, callSid, Math.Max(Attempts, 1), foundByLookup, now) };

    /// <summary>
    /// What the call's own stream learns of a finished placement: who placed it, with which account, when, after how
    /// many attempts.
    /// </summary>
    public CallPlaced? ToCallPlaced(string accountSid) =>
        Status == Placed && CallSid is { } callSid && Request is { } request && CompletedAt is { } placedAt
            ? new CallPlaced
            {
                CallSid = callSid,
                RequestId = RequestId,
                From = request.From,
                To = request.To,
                Attempts = Math.Max(Attempts, 1),
                AccountSid = accountSid,
                LeaseId = request.LeaseId,
                Tenant = request.Tenant,
                Campaign = request.Campaign,
                CallerIdPool = request.CallerIdPool,
                FlowName = request.Flow,
                TraceId = request.TraceId,
                RequestedAt = request.RequestedAt,
                PlacedAt = placedAt,
            }
            : null;

    public static CallPlacement Create(PlacementRequested e) => new()
    {
        Id = StreamId(e.RequestId),
        RequestId = e.RequestId,
        Status = Requested,
        Request = e,
        RequestedAt = e.RequestedAt,
    };

    public static CallPlacement Create(PlacementRejected e) => new()
    {
        Id = StreamId(e.RequestId),
        RequestId = e.RequestId,
        Status = Rejected,
        RejectedField = e.Field,
        Error = e.Reason,
        CompletedAt = e.RejectedAt,
    };

    public CallPlacement Apply(PlacementAttemptStarted e) =>
        this with { Attempts = e.Attempt, AttemptInDoubtSince = e.StartedAt, AttemptBy = e.DeliveryId };

    public CallPlacement Apply(PlacementAttemptFailed e) =>
        this with { AttemptInDoubtSince = null, AttemptBy = null, ErrorCode = e.ErrorCode, Error = e.Message };

    public CallPlacement Apply(PlacementSucceeded e) =>
        this with { Status = Placed, CallSid = e.CallSid, AttemptInDoubtSince = null, AttemptBy = null, CompletedAt = e.PlacedAt };

    public CallPlacement Apply(PlacementFailed e) =>
        this with { Status = Failed, ErrorCode = e.ErrorCode, Error = e.Message, AttemptInDoubtSince = null, AttemptBy = null, CompletedAt = e.FailedAt };
}
