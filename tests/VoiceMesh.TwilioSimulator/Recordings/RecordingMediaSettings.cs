using System.Text.Json.Serialization;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>
/// How one recording's media is served (<c>PUT /_sim/recordings/{sid}/media</c>, <c>SimulatorControl.SetRecordingMedia</c>).
/// Each PUT replaces the previous settings; <c>{}</c> serves the recorded audio as it is.
/// </summary>
public sealed record RecordingMediaSettings
{
    public static RecordingMediaSettings Recorded { get; } = new();

    /// <summary>
    /// The file is exactly this many bytes: the 44-byte header plus a tone filling whole frames (2 bytes a frame mono,
    /// 4 stereo). Replaces the recorded audio; the recording's duration follows from it.
    /// </summary>
    public long? SizeBytes { get; init; }

    /// <summary>The file is a tone of this many seconds, replacing the recorded audio.</summary>
    public int? DurationSeconds { get; init; }

    /// <summary>Serves the body at this rate (real time), e.g. so a test can kill the downloader mid-stream.</summary>
    public long? BytesPerSecond { get; init; }

    /// <summary>What goes wrong with the media requests; null: nothing.</summary>
    public MediaFault? Fault { get; init; }
}

/// <summary>A fault of the next <see cref="Count"/> media requests (null: every one); after those, the media is served normally.</summary>
public sealed record MediaFault
{
    public required MediaFaultKind Kind { get; init; }

    public int? Count { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<MediaFaultKind>))]
public enum MediaFaultKind
{
    /// <summary><c>Content-Length</c> announces the whole file; half of it is sent, then the connection is closed.</summary>
    [JsonStringEnumMemberName("truncated")]
    Truncated,

    /// <summary>The body (and its <c>Content-Length</c>) is 4,096 bytes longer than the RIFF header declares.</summary>
    [JsonStringEnumMemberName("longer-than-header")]
    LongerThanHeader,

    /// <summary>The body (and its <c>Content-Length</c>) is up to 4,096 bytes shorter than the RIFF header declares.</summary>
    [JsonStringEnumMemberName("shorter-than-header")]
    ShorterThanHeader,

    /// <summary>An HTML error page, served with 200 and <c>text/html</c>, instead of the audio.</summary>
    [JsonStringEnumMemberName("html")]
    Html,

    /// <summary>404 with Twilio's 20404 body, as for media that is not ready yet.</summary>
    [JsonStringEnumMemberName("not-found")]
    NotFound,
}

/// <summary>One media request the simulator answered (<c>GET /_sim/recordings/downloads</c>, <c>SimulatorControl.MediaDownloads</c>).</summary>
public sealed record MediaDownload
{
    public required long Id { get; init; }

    public required string RecordingSid { get; init; }

    /// <summary>Simulator clock time at arrival.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The fault that shaped the answer; null for the real media.</summary>
    public MediaFaultKind? Fault { get; init; }

    public required int StatusCode { get; init; }

    public long? ContentLength { get; init; }

    /// <summary>Body bytes handed to the connection so far.</summary>
    public long BytesSent { get; init; }

    /// <summary>Null while the body is being sent, then how the answer ended.</summary>
    public MediaDownloadOutcome? Outcome { get; init; }

    /// <summary>SHA-256 (lower-case hex) of the body bytes sent, once the answer is finished.</summary>
    public string? Sha256 { get; init; }
}

/// <summary>How a media answer ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MediaDownloadOutcome>))]
public enum MediaDownloadOutcome
{
    /// <summary>Every byte the answer announced was sent.</summary>
    [JsonStringEnumMemberName("completed")]
    Completed,

    /// <summary>The simulator closed the connection before the announced <c>Content-Length</c> on purpose (<see cref="MediaFaultKind.Truncated"/>).</summary>
    [JsonStringEnumMemberName("truncated")]
    Truncated,

    /// <summary>The client went away before the body was sent.</summary>
    [JsonStringEnumMemberName("aborted")]
    Aborted,
}
