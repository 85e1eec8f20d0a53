namespace VoiceMesh.Contracts.MediaStreams;

/// <summary>
/// Play a clip to the caller on an open bidirectional (<c>&lt;Connect&gt;&lt;Stream&gt;</c>) stream, after what is
/// already queued: a generated tone (<see cref="ToneHz"/>, <see cref="ToneMs"/>) or a file the service can read
/// (<see cref="File"/>: a WAV of 8 kHz mono 16-bit PCM or mu-law, or raw mu-law).
/// </summary>
public sealed record PlayAudio
{
    public required string StreamSid { get; init; }

    /// <summary>Names the clip in the mark sent after it and in the events that report it.</summary>
    public required string ClipId { get; init; }

    public double? ToneHz { get; init; }
    public int? ToneMs { get; init; }
    public string? File { get; init; }

    /// <summary>Stop the clip (Twilio <c>clear</c>) when the caller starts speaking over it.</summary>
    public bool BargeIn { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Stop what is playing and drop what is queued on a stream (Twilio <c>clear</c>).</summary>
public sealed record StopAudio
{
    public required string StreamSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A clip played to its end: Twilio echoed the mark sent after it.</summary>
public sealed record AudioPlayed
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string ClipId { get; init; }
    public required long PlayedMs { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>
/// A clip was cut short with <c>clear</c>: what the caller heard of it. <see cref="PlayedMs"/> is how much had played when
/// <c>clear</c> was sent; for a barge-in, <see cref="PlayedAtSpeechMs"/> is how much had played when the caller started speaking
/// (from the media timestamps of both directions).
/// </summary>
public sealed record AudioInterrupted
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string ClipId { get; init; }

    /// <summary><c>barge-in</c> or <c>stopped</c>.</summary>
    public required string Reason { get; init; }

    public required long PlayedMs { get; init; }
    public long? PlayedAtSpeechMs { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
