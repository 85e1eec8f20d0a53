using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Flows;

/// <summary>Twilio's <c>DialCallStatus</c> on a <c>&lt;Dial&gt;</c> action.</summary>
public enum DialStatus
{
    Completed,
    Answered,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
    Unknown,
}

/// <summary>Twilio's <c>QueueResult</c> on an <c>&lt;Enqueue&gt;</c> action.</summary>
public enum QueueResult
{
    Bridged,
    BridgingInProgress,
    QueueFull,
    Redirected,
    RedirectedFromBridged,
    Hangup,
    Leave,
    Error,
    SystemError,
    Unknown,
}

/// <summary>The one conversion of each flow wire value to and from Twilio's strings.</summary>
public static class FlowWireValues
{
    public static string ToWire(this DialStatus status) => status switch
    {
        DialStatus.Completed => "completed",
        DialStatus.Answered => "answered",
        DialStatus.Busy => "busy",
        DialStatus.NoAnswer => "no-answer",
        DialStatus.Failed => "failed",
        DialStatus.Canceled => "canceled",
        DialStatus.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToWire(this QueueResult result) => result switch
    {
        QueueResult.Bridged => "bridged",
        QueueResult.BridgingInProgress => "bridging-in-progress",
        QueueResult.QueueFull => "queue-full",
        QueueResult.Redirected => "redirected",
        QueueResult.RedirectedFromBridged => "redirected-from-bridged",
        QueueResult.Hangup => "hangup",
        QueueResult.Leave => "leave",
        QueueResult.Error => "error",
        QueueResult.SystemError => "system-error",
        QueueResult.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };

    public static string ToWire(this MenuOutcome outcome) => outcome switch
    {
        MenuOutcome.Matched => "matched",
        MenuOutcome.NoInput => "no-input",
        MenuOutcome.Invalid => "invalid",
        MenuOutcome.LowConfidence => "low-confidence",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>A value Twilio may add later counts as <see cref="DialStatus.Unknown"/>.</summary>
    public static DialStatus ParseDialStatus(string? wire) =>
        WireValues.TryParse<DialStatus>(wire, ToWire, out var status) ? status : DialStatus.Unknown;

    /// <summary>A value Twilio may add later counts as <see cref="QueueResult.Unknown"/>, which is treated as an error.</summary>
    public static QueueResult ParseQueueResult(string? wire) =>
        WireValues.TryParse<QueueResult>(wire, ToWire, out var result) ? result : QueueResult.Unknown;

    /// <summary>The callee took the call: the forward is over once that conversation is.</summary>
    public static bool WasAnswered(this DialStatus status) => status is DialStatus.Completed or DialStatus.Answered;

    /// <summary>The caller reached an agent (or was moved on by REST) rather than being turned away.</summary>
    public static bool WasServed(this QueueResult result) =>
        result is QueueResult.Bridged or QueueResult.BridgingInProgress or QueueResult.Redirected or QueueResult.RedirectedFromBridged;
}
