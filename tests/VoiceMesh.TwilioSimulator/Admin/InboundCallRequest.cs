namespace VoiceMesh.TwilioSimulator.Admin;

/// <summary>
/// A call to one of the account's numbers (<c>POST /_sim/calls/inbound</c>). <see cref="To"/> is looked up among the
/// account's IncomingPhoneNumbers; <see cref="Url"/>/<see cref="Method"/> override its Voice URL.
/// </summary>
public sealed record InboundCallRequest
{
    public string? From { get; init; }

    public string? To { get; init; }

    /// <summary>Null for the simulator's configured account.</summary>
    public string? AccountSid { get; init; }

    public string? Url { get; init; }

    public string? Method { get; init; }

    /// <summary>What the caller does at each <c>&lt;Gather&gt;</c>, in order; once used up the caller stays silent.</summary>
    public IReadOnlyList<CallerInput>? CallerInput { get; init; }

    /// <summary>Seconds the caller speaks when a <c>&lt;Record&gt;</c> runs; 0 leaves an empty recording.</summary>
    public int RecordSeconds { get; init; } = 3;

    /// <summary>The caller hangs up this many seconds after the call starts; null: never.</summary>
    public double? HangUpAfterSeconds { get; init; }
}

/// <summary>One answer to a <c>&lt;Gather&gt;</c>: <see cref="Digits"/>, <see cref="Speech"/> (with
/// <see cref="Confidence"/>) or <see cref="Silence"/>.</summary>
public sealed record CallerInput
{
    public string? Digits { get; init; }

    public string? Speech { get; init; }

    public double? Confidence { get; init; }

    public bool Silence { get; init; }
}
