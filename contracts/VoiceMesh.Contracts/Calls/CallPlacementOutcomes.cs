namespace VoiceMesh.Contracts.Calls;

/// <summary>A <see cref="PlaceCall"/> was refused before anything was dialled; <see cref="Field"/> names what is wrong.</summary>
public sealed record CallPlacementRejected
{
    public required string RequestId { get; init; }
    public required string Field { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Twilio accepted the call; its lifecycle continues under <see cref="CallSid"/>.</summary>
public sealed record CallPlaced
{
    public required string RequestId { get; init; }
    public required string CallSid { get; init; }
    public required int Attempts { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Twilio refused the call for good (invalid number, geo permission, blocked): it is not retried.</summary>
public sealed record CallPlacementFailed
{
    public required string RequestId { get; init; }
    public required int ErrorCode { get; init; }
    public required string ErrorMessage { get; init; }
    public required int Attempts { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
