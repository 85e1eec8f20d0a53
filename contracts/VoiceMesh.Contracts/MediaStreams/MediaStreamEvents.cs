namespace VoiceMesh.Contracts.MediaStreams;

/// <summary>A Media Streams WebSocket sent its <c>start</c> and is being processed. Published by the MediaStreams service's outbox.</summary>
public sealed record MediaStreamStarted
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string AccountSid { get; init; }

    /// <summary>Twilio's tracks: <c>inbound</c> and/or <c>outbound</c>.</summary>
    public required IReadOnlyList<string> Tracks { get; init; }

    /// <summary>The <c>&lt;Parameter&gt;</c> children of the <c>&lt;Stream&gt;</c>.</summary>
    public required IReadOnlyDictionary<string, string> CustomParameters { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Voice activity began on a track, <see cref="OffsetMs"/> after the stream started (Twilio's media timestamps).</summary>
public sealed record SpeechStarted
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string Track { get; init; }
    public required long OffsetMs { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Voice activity ended on a track: the first quiet frame was at <see cref="OffsetMs"/>.</summary>
public sealed record SpeechStopped
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string Track { get; init; }
    public required long OffsetMs { get; init; }

    /// <summary>How long the speech lasted, from its start to its first quiet frame.</summary>
    public required long DurationMs { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A DTMF digit Twilio reported on the stream.</summary>
public sealed record DtmfReceived
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string Track { get; init; }
    public required string Digit { get; init; }

    /// <summary>Where the digit fell: the media timestamp of the last frame before it.</summary>
    public required long OffsetMs { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>No speech on a track for <see cref="DurationMs"/> (dead air), since <see cref="SinceOffsetMs"/>.</summary>
public sealed record SilenceDetected
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string Track { get; init; }
    public required long SinceOffsetMs { get; init; }
    public required long DurationMs { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Per-track counts of one stream, exact over what the stream sent.</summary>
public sealed record TrackStatistics
{
    public required string Track { get; init; }

    /// <summary>Media frames received.</summary>
    public required long Frames { get; init; }

    /// <summary>Frames the pipeline dropped because it fell behind (drop-oldest back-pressure).</summary>
    public required long DroppedFrames { get; init; }

    /// <summary>Missing chunk numbers (a jump from chunk n to n+k adds k-1).</summary>
    public required long ChunkGaps { get; init; }

    /// <summary>Jumps in the media timestamp larger than one frame past the previous frame's end.</summary>
    public required long TimestampGaps { get; init; }

    /// <summary>Frames whose chunk number was not above the last one seen (reordered or repeated).</summary>
    public required long LateFrames { get; init; }

    /// <summary>Interarrival jitter (RFC 3550 §6.4.1), in milliseconds, at the end of the stream.</summary>
    public required double JitterMs { get; init; }

    /// <summary>Audio received, in milliseconds (payload bytes / 8).</summary>
    public required long AudioMs { get; init; }
}

/// <summary>A stream ended (Twilio's <c>stop</c>, a close, a drop or a refusal), with its statistics.</summary>
public sealed record MediaStreamStopped
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }

    /// <summary>Why it ended: <c>stopped</c> (Twilio's stop), <c>closed</c>, <c>dropped</c>, <c>duplicate</c>, <c>protocol-error</c>.</summary>
    public required string Reason { get; init; }

    public required IReadOnlyList<TrackStatistics> Tracks { get; init; }

    /// <summary>Messages that were not valid JSON or not a known event, counted and skipped.</summary>
    public required long MalformedMessages { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}
