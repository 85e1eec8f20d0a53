using Marten;
using VoiceMesh.Calls.Domain;

namespace VoiceMesh.Calls.Api;

/// <summary>The read model <c>GET /api/calls/{callSid}</c> answers with.</summary>
public sealed record CallResponse(
    string CallSid,
    string Status,
    string? Direction,
    string? From,
    string? To,
    string? AnsweredBy,
    int? DurationSeconds,
    int? SipResponseCode,
    string? RequestId,
    int? PlacementAttempts,
    CallTimings Timings,
    IReadOnlyList<CallHistoryResponse> History);

public sealed record CallHistoryResponse(string Status, int? SequenceNumber, DateTimeOffset? Timestamp, string Source);

internal static class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/calls/{callSid}", GetCall).WithName("GetCall");
        return endpoints;
    }

    private static async Task<IResult> GetCall(string callSid, IQuerySession session, CancellationToken cancellationToken)
    {
        var call = await session.LoadAsync<Call>(callSid, cancellationToken);
        if (call is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Call not found",
                detail: $"No call with sid {callSid} is known.");
        }

        return TypedResults.Ok(new CallResponse(
            call.Id,
            call.Status,
            call.Direction,
            call.From,
            call.To,
            call.AnsweredBy,
            call.DurationSeconds,
            call.SipResponseCode,
            call.RequestId,
            call.PlacementAttempts,
            call.Timings(),
            [.. call.History.Select(h => new CallHistoryResponse(h.Status, h.SequenceNumber, h.Timestamp, h.Source))]));
    }
}
