namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// Downloaded media is not the recording: not RIFF/WAVE, or not as many bytes as declared. Retried, never archived.
/// <see cref="ErrorType"/> is its class (<see cref="ArchiveFailureTypes"/>), the <c>error.type</c> of the failure metric.
/// </summary>
public sealed class RecordingVerificationException(string errorType, string message) : Exception(message)
{
    public string ErrorType { get; } = errorType;
}

/// <summary>Twilio answered the media request with 429 or 5xx after the HTTP pipeline's retries: an outage, held.</summary>
public sealed class MediaUnavailableException(string message) : Exception(message);

/// <summary>The classes of a recorded archive failure, as the <c>error.type</c> of <c>voicemesh.recordings.archive.failures</c>.</summary>
public static class ArchiveFailureTypes
{
    /// <summary>More or fewer bytes than the response or the RIFF header declared (a body cut short included).</summary>
    public const string SizeMismatch = "size-mismatch";

    /// <summary>No RIFF/WAVE header: an HTML page or other content served as the media.</summary>
    public const string NotAudio = "not-audio";

    /// <summary>Twilio answered the media request with a 4xx (e.g. 404 before the media is ready).</summary>
    public const string MediaRefused = "media-refused";

    /// <summary>The media URL is not on Twilio's hosts, or missing: refused for good, nothing requested.</summary>
    public const string UrlRefused = "url-refused";
}
