using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

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
    string? FailureReason)
{
    public static RecordingResponse Of(Recording recording) => new(
        recording.Id,
        recording.CallSid,
        recording.ConferenceSid,
        recording.Status().ToWire(),
        recording.TwilioStatus.ToWire(),
        recording.Archive?.BlobUri,
        recording.Archive?.SizeBytes,
        recording.Archive?.Sha256,
        recording.Archive?.DurationSeconds ?? recording.DurationSeconds,
        recording.Archive?.Channels ?? recording.Channels,
        recording.DeletedAtTwilioAt is not null,
        recording.Archive is null ? recording.FailureReason : null);
}

internal static class RecordingEndpoints
{
    public static RouteGroupBuilder MapRecordingEndpoints(this RouteGroupBuilder recordings)
    {
        recordings.MapGet("/{recordingSid}", GetRecording).WithName("GetRecording");
        return recordings;
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
