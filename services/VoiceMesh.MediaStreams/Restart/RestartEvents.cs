using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Restart;

/// <summary>Why a dropped stream was not restarted.</summary>
public enum RestartSkipReason
{
    /// <summary>Twilio says the call is no longer in progress (or does not know it).</summary>
    CallEnded,

    /// <summary>No public stream URL is configured (<c>MediaStreams:Restart:PublicBaseUrl</c>).</summary>
    NotConfigured,

    /// <summary>Twilio refused the Streams create for another reason.</summary>
    Refused,
}

/// <summary>The one conversion of <see cref="RestartSkipReason"/> to the read model's strings.</summary>
public static class RestartSkipReasonWire
{
    public static string ToWire(this RestartSkipReason reason) => reason switch
    {
        RestartSkipReason.CallEnded => "call-ended",
        RestartSkipReason.NotConfigured => "not-configured",
        RestartSkipReason.Refused => "refused",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}

/// <summary>The stream's socket dropped (no <c>stop</c>) while it was open: restart it, if its call is still live.</summary>
public sealed record StreamRestartRequested(
    string StreamSid, string CallSid, IReadOnlyList<MediaTrack> Tracks, IReadOnlyDictionary<string, string> CustomParameters, DateTimeOffset DroppedAt);

/// <summary>Twilio created <see cref="RestartedAs"/> in the dropped stream's place.</summary>
public sealed record StreamRestarted(string StreamSid, string CallSid, string RestartedAs, DateTimeOffset DroppedAt, DateTimeOffset RestartedAt);

/// <summary>The dropped stream was not restarted, and why.</summary>
public sealed record StreamRestartSkipped(string StreamSid, string CallSid, RestartSkipReason Reason, DateTimeOffset At);

/// <summary>What became of a restart the stream asked for: restarted as another stream, or skipped.</summary>
public sealed record RestartOutcome(DateTimeOffset DroppedAt, string? RestartedAs, RestartSkipReason? Skipped, DateTimeOffset? At);
