using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Playback;

/// <summary>Why a clip was cut short.</summary>
public enum InterruptReason
{
    /// <summary>The caller spoke over a clip played with barge-in.</summary>
    BargeIn,

    /// <summary>A StopAudio (bus or API).</summary>
    Stopped,
}

/// <summary>The one conversion of <see cref="InterruptReason"/> to its wire string.</summary>
public static class InterruptReasonWire
{
    public static string ToWire(this InterruptReason reason) => reason switch
    {
        InterruptReason.BargeIn => "barge-in",
        InterruptReason.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static bool TryParse(string? wire, out InterruptReason reason) => WireValues.TryParse(wire, ToWire, out reason);
}

/// <summary>Twilio echoed the mark after a clip: it played to its end.</summary>
public sealed record ClipPlayed(string StreamSid, string ClipId, long PlayedMs, DateTimeOffset At);

/// <summary>A clip was cut short with <c>clear</c>; what had played when clear was sent, and when the caller started speaking.</summary>
public sealed record ClipInterrupted(string StreamSid, string ClipId, InterruptReason Reason, long PlayedMs, long? PlayedAtSpeechMs, DateTimeOffset At);
