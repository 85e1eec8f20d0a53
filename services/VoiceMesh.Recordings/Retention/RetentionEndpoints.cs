using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Retention;

/// <summary>The body of <c>PUT /api/recordings/{recordingSid}/legal-hold</c>.</summary>
public sealed record LegalHoldRequest(string? Reason = null, string? CaseReference = null);

/// <summary>The body of <c>PUT /api/recordings/{recordingSid}/tags</c>: the recording's tags (they replace the previous ones).</summary>
public sealed record TagsRequest(IReadOnlyList<string>? Tags = null);

/// <summary>How long the recording is kept: the policy that matched it and when it is purged (null: never).</summary>
public sealed record RetentionResponse(string Policy, DateTimeOffset? PurgeAfter);

/// <summary>Why and when the recording was (or is being) purged.</summary>
public sealed record PurgeResponse(string Reason, DateTimeOffset RequestedAt, DateTimeOffset? PurgedAt);

internal static class RetentionEndpoints
{
    private const int MaxReasonLength = 500;
    private const int MaxCaseReferenceLength = 200;
    private const int ConflictAttempts = 4;
    private const int MaxBodyBytes = 8 * 1024;

    /// <summary>Legal hold, tags and erasure requests on <c>/api/recordings/{recordingSid}</c>.</summary>
    public static RouteGroupBuilder MapRetentionEndpoints(this RouteGroupBuilder recordings)
    {
        recordings.MapPut("/{recordingSid}/legal-hold", SetHold).WithName("SetRecordingLegalHold");
        recordings.MapDelete("/{recordingSid}/legal-hold", ClearHold).WithName("ClearRecordingLegalHold");
        recordings.MapPut("/{recordingSid}/tags", SetTags).WithName("SetRecordingTags");
        recordings.MapDelete("/{recordingSid}", Erase).WithName("EraseRecording");
        return recordings;
    }

    private static async Task<Results<Ok<RecordingResponse>, ValidationProblem, ProblemHttpResult>> SetHold(
        string recordingSid, HttpRequest request, StreamCommands commands, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Invalid(recordingSid) is { } invalidSid)
        {
            return invalidSid;
        }

        var (body, refused) = await request.ReadJson<LegalHoldRequest>(MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if ((InvalidText("reason", body!.Reason, MaxReasonLength, required: true)
            ?? InvalidText("caseReference", body.CaseReference, MaxCaseReferenceLength, required: false)) is { } invalid)
        {
            return invalid;
        }

        var (outcome, _) = await Decide(commands, clock, recordingSid, r => RetentionDecisions.SetHold(r, body.Reason!, body.CaseReference, clock.GetUtcNow()), cancellationToken);
        return await Answer(outcome, recordingSid, commands, cancellationToken);
    }

    private static async Task<Results<Ok<RecordingResponse>, ValidationProblem, ProblemHttpResult>> ClearHold(
        string recordingSid, StreamCommands commands, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Invalid(recordingSid) is { } invalid)
        {
            return invalid;
        }

        var (outcome, _) = await Decide(commands, clock, recordingSid, r => RetentionDecisions.ClearHold(r, clock.GetUtcNow()), cancellationToken);
        return await Answer(outcome, recordingSid, commands, cancellationToken);
    }

    private static async Task<Results<Ok<RecordingResponse>, ValidationProblem, ProblemHttpResult>> SetTags(
        string recordingSid, HttpRequest request, StreamCommands commands, IOptions<RetentionOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (Invalid(recordingSid) is { } invalidSid)
        {
            return invalidSid;
        }

        var (body, refused) = await request.ReadJson<TagsRequest>(MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (InvalidTags(body!.Tags) is { } invalid)
        {
            return invalid;
        }

        var (outcome, _) = await Decide(commands, clock, recordingSid, r => RetentionDecisions.Tag(r, body.Tags!, options.Value, clock.GetUtcNow()), cancellationToken);
        return await Answer(outcome, recordingSid, commands, cancellationToken);
    }

    /// <summary>An erasure request: 202 and the purge path, unless the recording is held (409) or unknown (404).</summary>
    private static async Task<Results<Accepted<RecordingResponse>, ValidationProblem, ProblemHttpResult>> Erase(
        string recordingSid, StreamCommands commands, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Invalid(recordingSid) is { } invalid)
        {
            return invalid;
        }

        var (outcome, decidedOn) = await Decide(commands, clock, recordingSid, r => RetentionDecisions.RequestPurge(r, PurgeReason.Erasure, clock.GetUtcNow()), cancellationToken);
        return outcome switch
        {
            RetentionOutcome.NotFound => RecordingEndpoints.NotFound(recordingSid),
            RetentionOutcome.Held => Held(decidedOn!),
            _ => TypedResults.Accepted($"/api/recordings/{recordingSid}", RecordingResponse.Of((await commands.Load<Recording>(recordingSid, cancellationToken))!)),
        };
    }

    /// <summary>
    /// Runs a decision through the command path; a concurrent write to the stream is decided again on the new version.
    /// Returns what the decision met and the state it decided on.
    /// </summary>
    private static Task<(RetentionOutcome Outcome, Recording? DecidedOn)> Decide(
        StreamCommands commands, TimeProvider clock, string recordingSid, Func<Recording?, RetentionDecision> decide, CancellationToken cancellationToken) =>
        ConflictRetry.Run(
            async () =>
            {
                var outcome = RetentionOutcome.NotFound;
                Recording? decidedOn = null;
                await commands.Execute<Recording>(recordingSid, null, r =>
                {
                    var decision = decide(r);
                    (outcome, decidedOn) = (decision.Outcome, r);
                    return decision.Decision;
                }, cancellationToken);
                return (outcome, decidedOn);
            },
            ConflictAttempts,
            clock,
            cancellationToken);

    private static async Task<Results<Ok<RecordingResponse>, ValidationProblem, ProblemHttpResult>> Answer(
        RetentionOutcome outcome, string recordingSid, StreamCommands commands, CancellationToken cancellationToken)
    {
        if (outcome == RetentionOutcome.NotFound)
        {
            return RecordingEndpoints.NotFound(recordingSid);
        }

        var recording = (await commands.Load<Recording>(recordingSid, cancellationToken))!;
        return outcome == RetentionOutcome.Purging
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Recording is being purged",
                detail: $"Recording {recordingSid} is {(recording.Purge is null ? "being purged" : "purged")} ({recording.PurgeRequest!.Reason.ToWire()}); it can no longer be held or tagged.")
            : TypedResults.Ok(RecordingResponse.Of(recording));
    }

    private static ProblemHttpResult Held(Recording recording)
    {
        var hold = recording.LegalHold!;
        var caseReference = hold.CaseReference is null ? "" : $", case {hold.CaseReference}";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Recording under legal hold",
            detail: $"Recording {recording.Id} is under legal hold ({hold.Reason}{caseReference}); it cannot be erased until the hold is cleared.");
    }

    private static ValidationProblem? Invalid(string recordingSid) =>
        RecordingSids.IsValid(recordingSid) ? null : Problem("recordingSid", RecordingSids.Description);

    private static ValidationProblem? InvalidText(string field, string? value, int maxLength, bool required)
    {
        if (value is null)
        {
            return required ? Problem(field, $"{field} is required.") : null;
        }

        return string.IsNullOrWhiteSpace(value) || value.Length > maxLength || value.Any(char.IsControl)
            ? Problem(field, $"{field} must be 1-{maxLength} characters of text, without control characters.")
            : null;
    }

    private static ValidationProblem? InvalidTags(IReadOnlyList<string>? tags)
    {
        if (tags is null)
        {
            return Problem("tags", "tags is required (an empty list removes every tag).");
        }

        if (tags.Count > RecordingTags.MaxTags)
        {
            return Problem("tags", $"At most {RecordingTags.MaxTags} tags.");
        }

        return tags.All(RecordingTags.IsValid) ? null : Problem("tags", RecordingTags.Description);
    }

    private static ValidationProblem Problem(string field, string reason) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [reason] });
}
