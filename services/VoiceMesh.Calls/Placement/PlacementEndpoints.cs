using Microsoft.AspNetCore.Http.HttpResults;
using Marten;
using MassTransit;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Placement;

/// <summary>The body of <c>POST /api/calls</c>: a PlaceCall in JSON.</summary>
public sealed record PlaceCallRequest(
    string To,
    string? RequestId = null,
    string? From = null,
    string? CallerIdPool = null,
    string? Twiml = null,
    string? Url = null,
    string? Flow = null,
    int? TimeoutSeconds = null,
    bool Record = false,
    string? MachineDetection = null,
    bool AsyncAmd = false,
    string? OnMachine = null,
    string? MachineMessageTwiml = null,
    Dictionary<string, string>? Metadata = null,
    string? Tenant = null,
    string? Campaign = null);

public sealed record PlaceCallAccepted(string RequestId, string? CallSid);

/// <summary>
/// What became of a PlaceCall request (<c>GET /api/calls/requests/{requestId}</c>); <c>From</c> is the caller id it
/// dials from (leased from <c>CallerIdPool</c> when it named one).
/// </summary>
public sealed record PlacementResponse(
    string RequestId,
    string Status,
    string? CallSid,
    int Attempts,
    int? ErrorCode,
    string? Error,
    string? RejectedField,
    DateTimeOffset? RequestedAt,
    DateTimeOffset? CompletedAt,
    string? From,
    string? CallerIdPool);

internal static class PlacementEndpoints
{
    public static RouteGroupBuilder MapPlacementEndpoints(this RouteGroupBuilder calls)
    {
        calls.MapPost("/", PlaceCall);
        calls.MapGet("/requests/{requestId}", GetPlacement);
        return calls;
    }

    /// <summary>Validates, then publishes PlaceCall exactly as another system would; 202 with the request id.</summary>
    private static async Task<Results<Accepted<PlaceCallAccepted>, ValidationProblem>> PlaceCall(
        PlaceCallRequest body, PlaceCallValidator validator, IPublishEndpoint bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var command = new PlaceCall
        {
            RequestId = body.RequestId ?? Guid.NewGuid().ToString("N"),
            To = body.To,
            From = body.From,
            CallerIdPool = body.CallerIdPool,
            Twiml = body.Twiml,
            Url = body.Url,
            Flow = body.Flow,
            TimeoutSeconds = body.TimeoutSeconds,
            Record = body.Record,
            MachineDetection = body.MachineDetection,
            AsyncAmd = body.AsyncAmd,
            OnMachine = body.OnMachine,
            MachineMessageTwiml = body.MachineMessageTwiml,
            Metadata = body.Metadata ?? [],
            Tenant = body.Tenant,
            Campaign = body.Campaign,
            OccurredAt = clock.GetUtcNow(),
        };
        var violations = validator.Validate(command);
        if (violations.Count > 0)
        {
            return TypedResults.ValidationProblem(
                violations.GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => v.Reason).ToArray()),
                title: "Invalid PlaceCall");
        }

        await bus.Publish(command, cancellationToken);
        return TypedResults.Accepted($"/api/calls/requests/{command.RequestId}", new PlaceCallAccepted(command.RequestId, null));
    }

    private static async Task<Results<Ok<PlacementResponse>, ProblemHttpResult>> GetPlacement(string requestId, IQuerySession session, CancellationToken cancellationToken)
    {
        var placement = await session.LoadAsync<CallPlacement>(CallPlacement.StreamId(requestId), cancellationToken);
        if (placement is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "Request not found", detail: $"No PlaceCall with request id {requestId} is known.");
        }

        return TypedResults.Ok(new PlacementResponse(
            placement.RequestId, placement.Status, placement.CallSid, placement.Attempts, placement.ErrorCode,
            placement.Error, placement.RejectedField, placement.RequestedAt, placement.CompletedAt,
            placement.Request?.From, placement.Request?.CallerIdPool));
    }
}
