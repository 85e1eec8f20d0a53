using System.Net;
using Microsoft.Extensions.Options;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Retention;
using VoiceMesh.Recordings.Storage;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// Copies one recording's media from Twilio into storage: the URL is checked first (<see cref="MediaUrlGuard"/>),
/// the body streams through <see cref="WavVerifyingStream"/> into <see cref="IRecordingStorage"/>, which hashes it on
/// the way, and only a verified, stored copy is recorded as archived. Outcomes the store accepted are counted in
/// <see cref="RecordingsMetrics"/>.
/// </summary>
public sealed partial class RecordingArchiver(
    IHttpClientFactory httpClients,
    IRecordingStorage storage,
    StreamCommands commands,
    IOptions<TwilioOptions> twilio,
    IOptions<RetentionOptions> retention,
    IOptions<RecordingsOptions> options,
    RecordingsMetrics metrics,
    TimeProvider clock,
    ILogger<RecordingArchiver> logger)
{
    public const string ContentType = "audio/wav";

    /// <summary>
    /// Archives the recording and returns whether this copy was recorded as its archive; a refused URL is recorded as
    /// a permanent failure (false), a failed verification is recorded and thrown.
    /// </summary>
    public async Task<bool> Archive(Recording recording, int attempt, CancellationToken cancellationToken)
    {
        var (mediaUri, refusal) = MediaUrlGuard.Check(recording.Url, twilio.Value.ApiBaseUrl);
        if (mediaUri is null)
        {
            LogRefused(recording.Id, refusal!);
            await Fail(recording.Id, ArchiveFailureTypes.UrlRefused, refusal!, attempt, permanent: true, cancellationToken);
            return false;
        }

        StoredBlob blob;
        try
        {
            blob = await Download(recording, mediaUri, cancellationToken);
        }
        catch (RecordingVerificationException ex)
        {
            LogVerificationFailed(recording.Id, attempt, ex.Message);
            await Fail(recording.Id, ex.ErrorType, ex.Message, attempt, permanent: false, cancellationToken);
            throw;
        }

        var archived = new RecordingArchived
        {
            RecordingSid = recording.Id,
            CallSid = recording.CallSid,
            ConferenceSid = recording.ConferenceSid,
            AccountSid = recording.AccountSid,
            BlobKey = blob.Key,
            BlobUri = blob.Uri,
            SizeBytes = blob.SizeBytes,
            Sha256 = blob.Sha256,
            ContentType = blob.ContentType,
            DurationSeconds = recording.DurationSeconds,
            Channels = recording.Channels,
            ArchivedAt = clock.GetUtcNow(),
        };
        var now = clock.GetUtcNow();
        if ((await commands.Execute<Recording>(
                recording.Id, null, r => RetentionDecisions.Archive(r, archived, retention.Value, now), cancellationToken)).Count > 0)
        {
            metrics.Archived(blob.SizeBytes);
            LogArchived(recording.Id, blob.SizeBytes, blob.Sha256);
            return true;
        }

        // An erasure requested while the media streamed: the copy is not recorded, so it must not stay either.
        if ((await commands.Load<Recording>(recording.Id, cancellationToken))?.PurgeRequest is not null)
        {
            await storage.Delete(blob.Key, cancellationToken);
            LogDiscarded(recording.Id);
        }

        return false;
    }

    private async Task<StoredBlob> Download(Recording recording, Uri mediaUri, CancellationToken cancellationToken)
    {
        using var http = httpClients.CreateClient(TwilioClientExtensions.MediaHttpClientName);
        using var response = await http.GetAsync(mediaUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
        {
            throw new MediaUnavailableException($"Twilio answered {(int)response.StatusCode} for the media of {recording.Id}.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new RecordingVerificationException(ArchiveFailureTypes.MediaRefused, $"Twilio answered {(int)response.StatusCode} for the media.");
        }

        await using var body = new WavVerifyingStream(
            new StallGuardStream(await response.Content.ReadAsStreamAsync(cancellationToken), options.Value.MediaStallTimeout, clock),
            response.Content.Headers.ContentLength);
        var key = RecordingBlobs.Key(recording.AccountSid, recording.CallSid ?? recording.ConferenceSid, recording.Id);
        return await storage.Write(key, body, new RecordingBlobMetadata(recording.AccountSid, recording.CallSid, recording.ConferenceSid, recording.Id, ContentType), cancellationToken);
    }

    private async Task Fail(string recordingSid, string errorType, string reason, int attempt, bool permanent, CancellationToken cancellationToken)
    {
        var failed = new RecordingArchiveFailed(recordingSid, reason, attempt, permanent, clock.GetUtcNow());
        if ((await commands.Execute<Recording>(recordingSid, null, r => Recording.Decide(r, failed), cancellationToken)).Count > 0)
        {
            metrics.Failed(errorType);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} archived: {SizeBytes} bytes, SHA-256 {Sha256}")]
    private partial void LogArchived(string recordingSid, long sizeBytes, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} was to be purged while it was copied; the copy is deleted")]
    private partial void LogDiscarded(string recordingSid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {RecordingSid} not archived: {Reason}")]
    private partial void LogRefused(string recordingSid, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {RecordingSid} failed verification on attempt {Attempt}: {Reason}")]
    private partial void LogVerificationFailed(string recordingSid, int attempt, string reason);
}
