using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Lifecycle;

/// <summary>Why a stream ended.</summary>
public enum CloseReason
{
    /// <summary>Twilio sent <c>stop</c>.</summary>
    Stopped,

    /// <summary>The socket was closed without a <c>stop</c>.</summary>
    Closed,

    /// <summary>The connection broke (no close handshake).</summary>
    Dropped,

    /// <summary>Another stream with the same call, tracks and parameters is open: this one was refused.</summary>
    Duplicate,

    /// <summary>The stream broke the protocol (media before start, an invalid start, an oversized message).</summary>
    ProtocolError,
}

/// <summary>The one conversion of <see cref="CloseReason"/> to its wire string.</summary>
public static class CloseReasonWire
{
    public static string ToWire(this CloseReason reason) => reason switch
    {
        CloseReason.Stopped => "stopped",
        CloseReason.Closed => "closed",
        CloseReason.Dropped => "dropped",
        CloseReason.Duplicate => "duplicate",
        CloseReason.ProtocolError => "protocol-error",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}

/// <summary>The stream sent a valid <c>start</c> and is being processed.</summary>
public sealed record StreamOpened(
    string StreamSid, string CallSid, string AccountSid, IReadOnlyList<MediaTrack> Tracks,
    IReadOnlyDictionary<string, string> CustomParameters, DateTimeOffset OpenedAt);

public sealed record SpeechBegan(string StreamSid, MediaTrack Track, long OffsetMs, DateTimeOffset At);

public sealed record SpeechEnded(string StreamSid, MediaTrack Track, long OffsetMs, long DurationMs, DateTimeOffset At);

public sealed record DigitPressed(string StreamSid, MediaTrack Track, string Digit, long OffsetMs, DateTimeOffset At);

public sealed record DeadAir(string StreamSid, MediaTrack Track, long SinceOffsetMs, long DurationMs, DateTimeOffset At);

/// <summary>The stream ended, with its per-track statistics.</summary>
public sealed record StreamClosed(
    string StreamSid, string? CallSid, CloseReason Reason, IReadOnlyList<TrackStatistics> Tracks, long MalformedMessages, DateTimeOffset ClosedAt);

/// <summary>Twilio's status callback for the stream (<c>stream-started</c>, <c>stream-stopped</c>, <c>stream-error</c>).</summary>
public sealed record StreamReported(string StreamSid, string CallSid, string? StreamName, TwilioStreamEvent Event, string? Error, DateTimeOffset ReceivedAt);
