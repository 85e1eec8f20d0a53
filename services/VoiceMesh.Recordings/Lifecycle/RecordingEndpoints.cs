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
