using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallStreams;

/// <summary>Why a call's media stream ended (the MediaStreams service's <c>MediaStreamStopped.Reason</c>).</summary>
public enum StreamStopReason
{
    /// <summary>Twilio sent <c>stop</c>.</summary>
    Stopped,

    /// <summary>The socket closed without <c>stop</c>.</summary>
    Closed,

    /// <summary>The connection broke.</summary>
    Dropped,

    /// <summary>A second stream like one already open on the call (a duplicated webhook's): refused, the first untouched.</summary>
    Duplicate,

    /// <summary>The stream broke the Media Streams protocol.</summary>
    ProtocolError,
}

/// <summary>The one conversion between <see cref="StreamStopReason"/> and its wire string.</summary>
public static class StreamStopReasonWire
{
    public static string ToWire(this StreamStopReason reason) => reason switch
    {
        StreamStopReason.Stopped => "stopped",
        StreamStopReason.Closed => "closed",
        StreamStopReason.Dropped => "dropped",
        StreamStopReason.Duplicate => "duplicate",
        StreamStopReason.ProtocolError => "protocol-error",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static StreamStopReason Parse(string wire) =>
        WireValues.TryParse<StreamStopReason>(wire, ToWire, out var reason)
            ? reason
            : throw new ArgumentException($"'{wire}' is not a stream stop reason.", nameof(wire));
}

/// <summary>A Media Stream of the call started (MediaStreamStarted).</summary>
public sealed record CallStreamStarted(
    string CallSid, string StreamSid, IReadOnlyList<string> Tracks, IReadOnlyDictionary<string, string> CustomParameters, DateTimeOffset StartedAt);

/// <summary>A Media Stream of the call ended (MediaStreamStopped).</summary>
public sealed record CallStreamStopped(string CallSid, string StreamSid, StreamStopReason Reason, DateTimeOffset StoppedAt);

/// <summary>A dropped stream of the call was restarted at Twilio as <see cref="RestartedAs"/> (MediaStreamRestarted).</summary>
public sealed record CallStreamRestarted(string CallSid, string StreamSid, string RestartedAs, DateTimeOffset DroppedAt, DateTimeOffset RestartedAt);

/// <summary>One Media Stream of the call as the call knows it; every part is filled in by whichever event brings it, in any order.</summary>
public sealed record CallStreamEntry(
    string StreamSid,
    IReadOnlyList<string> Tracks,
    IReadOnlyDictionary<string, string> CustomParameters,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    StreamStopReason? StopReason,
    string? RestartedAs,
    DateTimeOffset? DroppedAt)
{
    public static CallStreamEntry Of(string streamSid) => new(streamSid, [], new Dictionary<string, string>(), null, null, null, null, null);
}
