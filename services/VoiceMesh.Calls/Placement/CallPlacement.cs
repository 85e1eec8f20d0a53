namespace VoiceMesh.Calls.Placement;

/// <summary>What became of one PlaceCall request; the stream id is <c>placement:{requestId}</c>.</summary>
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

    public int? ErrorCode { get; init; }
    public string? Error { get; init; }
    public string? RejectedField { get; init; }
    public DateTimeOffset? RequestedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    public bool IsFinished => Status is Placed or Failed or Rejected;

    public static string StreamId(string requestId) => "placement:" + requestId;

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
        this with { Attempts = e.Attempt, AttemptInDoubtSince = e.StartedAt };

    public CallPlacement Apply(PlacementAttemptFailed e) =>
        this with { AttemptInDoubtSince = null, ErrorCode = e.ErrorCode, Error = e.Message };

    public CallPlacement Apply(PlacementSucceeded e) =>
        this with { Status = Placed, CallSid = e.CallSid, AttemptInDoubtSince = null, CompletedAt = e.PlacedAt };

    public CallPlacement Apply(PlacementFailed e) =>
        this with { Status = Failed, ErrorCode = e.ErrorCode, Error = e.Message, AttemptInDoubtSince = null, CompletedAt = e.FailedAt };
}
