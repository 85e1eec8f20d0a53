using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Recordings.Retention;

namespace VoiceMesh.Recordings.Lifecycle;

/// <summary>The read model <c>GET /api/recordings/{recordingSid}</c> answers with.</summary>
public sealed record RecordingResponse(
    string RecordingSid,
    string? CallSid,
    string? ConferenceSid,
    string Status,
    string TwilioStatus,
    Uri? BlobUri,
    long? SizeBytes,
    string? Sha256,
    int? DurationSeconds,
    int? Channels,
    bool DeletedAtTwilio,
    string? FailureReason,
    IReadOnlyList<string> Tags,
    RetentionResponse? Retention,
    bool LegalHold,
    string? LegalHoldReason,
    string? LegalHoldCaseReference,
    PurgeResponse? Purge)
{
    public static RecordingResponse Of(Recording recording) => new(
        recording.Id,
        recording.CallSid,
        recording.ConferenceSid,
        recording.Status().ToWire(),
        recording.TwilioStatus.ToWire(),
        recording.Purge is null ? recording.Archive?.BlobUri : null,
        recording.Archive?.SizeBytes,
        recording.Archive?.Sha256,
        recording.Archive?.DurationSeconds ?? recording.DurationSeconds,
        recording.Archive?.Channels ?? recording.Channels,
        recording.DeletedAtTwilioAt is not null,
        recording.Archive is null ? recording.FailureReason : null,
        recording.Tags,
        recording.Retention is { } retention ? new RetentionResponse(retention.Policy, retention.PurgeAfter) : null,
        recording.LegalHold is not null,
        recording.LegalHold?.Reason,
        recording.LegalHold?.CaseReference,
        recording.PurgeRequest is { } purge ? new PurgeResponse(purge.Reason.ToWire(), purge.RequestedAt, recording.Purge?.PurgedAt) : null);
}

/// <summary>A recording in the list <c>GET /api/recordings</c> answers with: its archive state and where the copy is.</summary>
public sealed record RecordingSummary(
    string RecordingSid, string Recording, string? CallSid, string? ConferenceSid, string Status, Uri? BlobUri, long? SizeBytes, string? Sha256,
    int? DurationSeconds, bool DeletedAtTwilio, bool LegalHold)
{
    public static RecordingSummary Of(Recording recording)
    {
        var full = RecordingResponse.Of(recording);
        return new(
            full.RecordingSid, $"/api/recordings/{full.RecordingSid}", full.CallSid, full.ConferenceSid, full.Status, full.BlobUri, full.SizeBytes,
            full.Sha256, full.DurationSeconds, full.DeletedAtTwilio, full.LegalHold);
    }
}

internal static class RecordingEndpoints
{
    /// <summary>The recordings one list answers with when <c>limit</c> is not given, and the most it may ask for.</summary>
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 200;

    public static RouteGroupBuilder MapRecordingEndpoints(this RouteGroupBuilder recordings)
    {
        recordings.MapGet("/{recordingSid}", GetRecording).WithName("GetRecording");
        recordings.MapGet("/", ListRecordings).WithName("ListRecordings");
        return recordings;
    }

    /// <summary><c>GET /api/recordings?status=&amp;limit=</c>: the recordings changed last first, optionally of one archive status.</summary>
    private static async Task<Results<Ok<IReadOnlyList<RecordingSummary>>, ValidationProblem>> ListRecordings(
        string? status, int? limit, IQuerySession session, CancellationToken cancellationToken)
    {
        if (!ServiceDefaults.ListParameters.TryStatus<ArchiveStatus>(status, ArchiveStatusWire.ToWire, out var wanted, out var badStatus))
        {
            return badStatus;
        }

        if (!ServiceDefaults.ListParameters.TryLimit(limit, DefaultListLimit, MaxListLimit, out var count, out var badLimit))
        {
            return badLimit;
        }

        IQueryable<Recording> query = session.Query<Recording>();
        if (wanted is { } w)
        {
            query = query.Where(Recording.WithStatus(w));
        }

        var found = await query.OrderBySql("mt_last_modified desc").Take(count).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RecordingSummary>>([.. found.Select(RecordingSummary.Of)]);
    }

    private static async Task<Results<Ok<RecordingResponse>, ProblemHttpResult>> GetRecording(
        string recordingSid, IQuerySession session, CancellationToken cancellationToken)
    {
        var recording = await session.LoadAsync<Recording>(recordingSid, cancellationToken);
        return recording is null ? NotFound(recordingSid) : TypedResults.Ok(RecordingResponse.Of(recording));
    }

    public static ProblemHttpResult NotFound(string recordingSid) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Recording not found",
            detail: $"No recording with sid {recordingSid} is known.");
}
