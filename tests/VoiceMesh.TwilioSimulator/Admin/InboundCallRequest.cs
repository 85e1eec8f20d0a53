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

    /// <summary>TwiML the call runs at once instead of fetching <see cref="Url"/> (as if the Voice URL had answered it).</summary>
    public string? Twiml { get; init; }

    /// <summary>What the caller sends on the call's Media Streams, in order; then silence until the stream ends.</summary>
    public IReadOnlyList<StreamAudio>? StreamAudio { get; init; }

    /// <summary>A fault: the call's first Media Stream loses its connection (no <c>stop</c>, no close) after this many frames.</summary>
    public int? DropFirstStreamAfterFrames { get; init; }
}

/// <summary>
/// One step of a caller's Media Streams audio: <see cref="Kind"/> <c>silence</c>, <c>tone</c> (at <see cref="FrequencyHz"/>,
/// default 440) or <c>speech</c> (a speech-like burst) for <see cref="Milliseconds"/>, or <c>dtmf</c> (<see cref="Digit"/>).
/// </summary>
public sealed record StreamAudio
{
    public string? Kind { get; init; }

    public int Milliseconds { get; init; }

    public double? FrequencyHz { get; init; }

    public string? Digit { get; init; }

    /// <summary>The script step, or why there is none.</summary>
    public (MediaStreams.ScriptStep? Step, string? Error) ToStep() => Kind switch
    {
        _ when Kind is not "dtmf" && Milliseconds <= 0 => (null, $"streamAudio {Kind} needs a positive milliseconds"),
        "silence" => (new MediaStreams.Silence(Milliseconds), null),
        "tone" when FrequencyHz is null or (> 0 and < 4000) => (new MediaStreams.Tone(Milliseconds, FrequencyHz ?? 440), null),
        "tone" => (null, "streamAudio tone frequencyHz must be between 0 and 4000"),
        "speech" => (new MediaStreams.SpeechBurst(Milliseconds), null),
        "dtmf" when Digit is { Length: 1 } d && (char.IsAsciiDigit(d[0]) || d[0] is '*' or '#') => (new MediaStreams.Digit(d[0]), null),
        "dtmf" => (null, "streamAudio dtmf needs one digit: 0-9, * or #"),
        _ => (null, $"streamAudio kind must be silence, tone, speech or dtmf, not {Kind ?? "(none)"}"),
    };
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
