namespace VoiceMesh.Calls.Lifecycle;

/// <summary>Where a status report came from.</summary>
public enum ReportSource
{
    /// <summary>Twilio's call progress events (<c>CallbackSource=call-progress-events</c>).</summary>
    StatusCallback,

    /// <summary>Read from Twilio's REST API because the call had not moved for too long.</summary>
    Reconciliation,
}

/// <summary>The one conversion of <see cref="ReportSource"/> to the read model's strings.</summary>
public static class ReportSourceWire
{
    public static string ToWire(this ReportSource source) => source switch
    {
        ReportSource.StatusCallback => "status-callback",
        ReportSource.Reconciliation => "reconciliation",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };
}

/// <summary>Twilio reported a status for the call. One per accepted, distinct report.</summary>
public sealed record CallStatusReported
{
    public required string CallSid { get; init; }
    public required CallStatus Status { get; init; }
    public int? SequenceNumber { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    public required ReportSource Source { get; init; }

    /// <summary>The account the status callback named; null for a report read by reconciliation.</summary>
    public string? AccountSid { get; init; }

    /// <summary>The message id the report arrived with; a second report with the same id is a duplicate.</summary>
    public required string MessageId { get; init; }

    public string? Direction { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public AnsweredBy? AnsweredBy { get; init; }
    public int? DurationSeconds { get; init; }
    public int? SipResponseCode { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>VoiceMesh asked Twilio for this call on behalf of a PlaceCall request, and Twilio created it.</summary>
public sealed record CallPlaced
{
    public required string CallSid { get; init; }
    public required string RequestId { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    public required int Attempts { get; init; }

    /// <summary>The account the call was placed with (<c>Twilio:AccountSid</c>); null in calls placed before it was recorded.</summary>
    public string? AccountSid { get; init; }

    /// <summary>The lease of a caller id taken from a pool: the call's end releases it.</summary>
    public Guid? LeaseId { get; init; }

    /// <summary>What the call's costs roll up under: the request's tenant, campaign tag, caller-id pool and flow.</summary>
    public string? Tenant { get; init; }
    public string? Campaign { get; init; }
    public string? CallerIdPool { get; init; }
    public string? FlowName { get; init; }

    /// <summary>The trace of the PlaceCall (<see cref="Placement.PlacementRequested.TraceId"/>), which the call's callbacks continue.</summary>
    public string? TraceId { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }
    public required DateTimeOffset PlacedAt { get; init; }
}
