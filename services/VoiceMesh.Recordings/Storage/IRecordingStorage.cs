namespace VoiceMesh.Recordings.Storage;

/// <summary>What is stored beside a recording's bytes: a call recording names its call, a conference recording its conference.</summary>
public sealed record RecordingBlobMetadata(string AccountSid, string? CallSid, string? ConferenceSid, string RecordingSid, string ContentType);

/// <summary>A stored blob: where it is, how many bytes, and their SHA-256 (lower-case hex), computed while it was written.</summary>
public sealed record StoredBlob(string Key, Uri Uri, long SizeBytes, string Sha256, string ContentType);

/// <summary>
/// Where archived recordings live. A write streams its content (never the whole file in memory) and makes the blob
/// visible under its key only once the content was read to its end: a failure or a crash mid-write leaves no blob.
/// Writing a key again replaces it, so a repeated archive is harmless.
/// </summary>
public interface IRecordingStorage
{
    Task<StoredBlob> Write(string key, Stream content, RecordingBlobMetadata metadata, CancellationToken cancellationToken);

    /// <summary>The blob's bytes, seekable where the backend allows; null when there is no such blob.</summary>
    Task<Stream?> OpenRead(string key, CancellationToken cancellationToken);

    Task<bool> Exists(string key, CancellationToken cancellationToken);

    Task Delete(string key, CancellationToken cancellationToken);
}

/// <summary>Deterministic blob names, the same for every backend: <c>{accountSid}/{callSid}/{recordingSid}.wav</c>.</summary>
public static class RecordingBlobs
{
    public static string Key(string accountSid, string? callSid, string recordingSid) =>
        $"{Segment(accountSid)}/{Segment(callSid ?? "no-call")}/{Segment(recordingSid)}.wav";

    private static string Segment(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? value
            : throw new ArgumentException($"'{value}' cannot name a blob: only letters, digits and '-' are allowed.", nameof(value));
}
