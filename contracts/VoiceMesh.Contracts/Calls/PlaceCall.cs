namespace VoiceMesh.Contracts.Calls;

/// <summary>
/// Asks VoiceMesh to dial <see cref="To"/>. <see cref="RequestId"/> makes the command idempotent: a second
/// PlaceCall with the same id places no second call. Exactly one of <see cref="Twiml"/>, <see cref="Url"/> or
/// <see cref="Flow"/> says what the call does once answered.
/// </summary>
public sealed record PlaceCall
{
    public required string RequestId { get; init; }

    /// <summary>E.164, e.g. <c>+14155550100</c>.</summary>
    public required string To { get; init; }

    /// <summary>E.164 caller id; null takes one from <see cref="CallerIdPool"/>, or else the Calls service's default caller id.</summary>
    public string? From { get; init; }

    /// <summary>
    /// A NumberPool pool to lease the caller id from (local presence to <see cref="To"/>), instead of <see cref="From"/>.
    /// The lease ends when the call ends, or when the placement fails.
    /// </summary>
    public string? CallerIdPool { get; init; }

    public string? Twiml { get; init; }
    public string? Url { get; init; }

    /// <summary>The name of a call flow the Calls service knows.</summary>
    public string? Flow { get; init; }

    /// <summary>Seconds to let the call ring, 5 to 600 (Twilio's default 60).</summary>
    public int? TimeoutSeconds { get; init; }

    public bool Record { get; init; }

    /// <summary><c>Enable</c> or <c>DetectMessageEnd</c>; null for no answering-machine detection.</summary>
    public string? MachineDetection { get; init; }

    /// <summary>Deliver the AMD result asynchronously instead of delaying the call's TwiML.</summary>
    public bool AsyncAmd { get; init; }

    /// <summary>
    /// What an asynchronous AMD result of a machine does: <c>continue</c> (default), <c>hangup</c>, or <c>message</c>
    /// (play <see cref="MachineMessageTwiml"/>, e.g. after the beep with <c>DetectMessageEnd</c>).
    /// </summary>
    public string? OnMachine { get; init; }

    public string? MachineMessageTwiml { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public string? Tenant { get; init; }

    /// <summary>A campaign tag: the call's costs roll up under it, and a budget set on it stops placements once spent.</summary>
    public string? Campaign { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}
