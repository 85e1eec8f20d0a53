namespace VoiceMesh.Contracts.Calls;

/// <summary>Ends a live call: canceled while it has not been answered, completed once it has.</summary>
public sealed record HangUpCall
{
    public required string CallSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Points a live call at new instructions: exactly one of <see cref="Url"/> or <see cref="Twiml"/>.</summary>
public sealed record RedirectCall
{
    public required string CallSid { get; init; }
    public string? Url { get; init; }
    public string? Twiml { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A HangUpCall or RedirectCall was refused; <see cref="Field"/> names what is wrong.</summary>
public sealed record CallCommandRejected
{
    public required string Command { get; init; }
    public required string CallSid { get; init; }
    public required string Field { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
