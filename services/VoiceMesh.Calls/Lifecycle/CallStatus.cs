using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Lifecycle;

/// <summary>A call's status, in Twilio's lifecycle order: every terminal status ranks above every live one.</summary>
public enum CallStatus
{
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
}

/// <summary>The one conversion between <see cref="CallStatus"/> and Twilio's <c>CallStatus</c> wire strings.</summary>
public static class CallStatusWire
{
    public static string ToWire(this CallStatus status) => status switch
    {
        CallStatus.Queued => CallStatuses.Queued,
        CallStatus.Initiated => CallStatuses.Initiated,
        CallStatus.Ringing => CallStatuses.Ringing,
        CallStatus.InProgress => CallStatuses.InProgress,
        CallStatus.Completed => CallStatuses.Completed,
        CallStatus.Busy => CallStatuses.Busy,
        CallStatus.Failed => CallStatuses.Failed,
        CallStatus.NoAnswer => CallStatuses.NoAnswer,
        CallStatus.Canceled => CallStatuses.Canceled,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? wire, out CallStatus status) => WireValues.TryParse(wire, ToWire, out status);

    public static CallStatus Parse(string wire) =>
        TryParse(wire, out var status) ? status : throw new FormatException($"'{wire}' is not a Twilio call status.");

    public static bool IsTerminal(this CallStatus status) => status >= CallStatus.Completed;

    /// <summary>queued &lt; initiated &lt; ringing &lt; in-progress &lt; every terminal status.</summary>
    public static int Rank(this CallStatus status) => status.IsTerminal() ? (int)CallStatus.Completed : (int)status;
}
