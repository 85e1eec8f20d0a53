namespace VoiceMesh.Recordings.Archiving;

/// <summary>Downloaded media is not the recording: not RIFF/WAVE, or not as many bytes as declared. Retried, never archived.</summary>
public sealed class RecordingVerificationException(string message) : Exception(message);

/// <summary>Twilio answered the media request with 429 or 5xx after the HTTP pipeline's retries: an outage, held.</summary>
public sealed class MediaUnavailableException(string message) : Exception(message);
