namespace VoiceMesh.Contracts.Numbers;

/// <summary>A number was bought (or adopted) and is active in <see cref="Pool"/>.</summary>
public sealed record NumberProvisioned
{
    public required string PhoneNumber { get; init; }
    public required string PhoneNumberSid { get; init; }
    public required string Pool { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Twilio refused to sell a number the provisioning plan chose; the pool does not hold it.</summary>
public sealed record NumberProvisioningFailed
{
    public required string RequestId { get; init; }
    public required string PhoneNumber { get; init; }
    public required string Pool { get; init; }
    public required int ErrorCode { get; init; }
    public required string ErrorMessage { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A number was deleted at Twilio after its quarantine; it is never used again.</summary>
public sealed record NumberReleased
{
    public required string PhoneNumber { get; init; }
    public required string PhoneNumberSid { get; init; }
    public required string Pool { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>
/// A number's answer rate fell well below its pool's (carriers may label it spam): it is cooling down until
/// <see cref="CoolingUntil"/>. The rates are the evidence, over the pool's reputation window.
/// </summary>
public sealed record NumberReputationDegraded
{
    public required string PhoneNumber { get; init; }
    public required string Pool { get; init; }
    public required int Calls { get; init; }
    public required double AnswerRate { get; init; }
    public required double PoolAnswerRate { get; init; }
    public required double ShortCallRate { get; init; }
    public required double AverageTalkSeconds { get; init; }
    public required DateTimeOffset CoolingUntil { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
