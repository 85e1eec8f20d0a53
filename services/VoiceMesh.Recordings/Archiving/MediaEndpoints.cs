using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.Recordings.Retention;
using VoiceMesh.Recordings.Storage;

namespace VoiceMesh.Recordings.Archiving;

internal static class MediaEndpoints
{
    /// <summary><c>GET /api/recordings/{recordingSid}/media</c>: the archived bytes, streamed, with range requests.</summary>
    public static RouteGroupBuilder MapMediaEndpoints(this RouteGroupBuilder recordings)
    {
        recordings.MapGet("/{recordingSid}/media", GetMedia).WithName("GetRecordingMedia");
        return recordings;
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetMedia(
        string recordingSid, IQuerySession session, IRecordingStorage storage, CancellationToken cancellationToken)
    {
        var recording = await session.LoadAsync<Recording>(recordingSid, cancellationToken);
        if (recording?.Purge is { } purged)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status410Gone,
                title: "Recording purged",
                detail: $"Recording {recordingSid} was purged ({purged.Reason.ToWire()}) at {purged.PurgedAt:O}; its media is gone.");
        }

        if (recording?.Archive is not { } archive)
        {
            return recording is null
                ? RecordingEndpoints.NotFound(recordingSid)
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status404NotFound,
                    title: "Recording not archived",
                    detail: $"Recording {recordingSid} is {recording.Status().ToWire()}; its media is not archived.");
        }

        var stream = await storage.OpenRead(archive.BlobKey, cancellationToken);
        return stream is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Recording media missing",
                detail: $"The archived media of recording {recordingSid} is not in storage.")
            : TypedResults.Stream(stream, archive.ContentType, enableRangeProcessing: stream.CanSeek);
    }
}
