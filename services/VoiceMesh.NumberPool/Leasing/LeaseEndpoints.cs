using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>The body of <c>POST /api/numbers/acquire</c>.</summary>
public sealed record AcquireRequest(string? Pool = null, string? Destination = null, string? CallSid = null);

/// <summary>A lease, as <c>POST /api/numbers/acquire</c> answers it.</summary>
public sealed record LeaseResponse(Guid LeaseId, string CallerId, string Match, DateTimeOffset ExpiresAt);

internal static class LeaseEndpoints
{
    private const int MaxBodyBytes = 4 * 1024;

    public static RouteGroupBuilder MapLeaseEndpoints(this RouteGroupBuilder numbers)
    {
        numbers.MapPost("/acquire", Acquire).WithName("AcquireCallerId");
        numbers.MapDelete("/leases/{leaseId}", Release).WithName("ReleaseCallerId");
        return numbers;
    }

    /// <summary>
    /// A caller id for a call: 200 with the lease; 400 for an invalid destination, 404 for an unknown pool, 409 when
    /// the pool is exhausted (problem+json with the reason in <c>reason</c> and the counts in <c>detail</c>).
    /// </summary>
    private static async Task<Results<Ok<LeaseResponse>, ValidationProblem, ProblemHttpResult>> Acquire(
        HttpRequest request, CallerIdLeases leases, IOptions<NumberPoolOptions> options, CancellationToken cancellationToken)
    {
        var (body, refused) = await request.ReadJson<AcquireRequest>(MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (!Pool.IsValidName(body!.Pool))
        {
            return PoolEndpoints.Problem("pool", Pool.NameDescription);
        }

        if (body.Destination is null)
        {
            return PoolEndpoints.Problem("destination", "destination (the E.164 number to be called) is required.");
        }

        if (body.CallSid is not null && !CallSids.IsValid(body.CallSid))
        {
            return PoolEndpoints.Problem("callSid", CallSids.Description);
        }

        var acquisition = await leases.Acquire(body.Pool!, body.Destination, body.CallSid, options.Value.LeaseDuration, cancellationToken);
        if (acquisition.Lease is { } lease)
        {
            return TypedResults.Ok(new LeaseResponse(lease.LeaseId, lease.CallerId, lease.Match.ToWire(), lease.ExpiresAt));
        }

        var reason = acquisition.Reason!.Value;
        return reason == Unavailability.InvalidDestination
            ? PoolEndpoints.Problem("destination", acquisition.Detail!)
            : TypedResults.Problem(
                statusCode: reason == Unavailability.UnknownPool ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict,
                title: reason == Unavailability.UnknownPool ? "Unknown pool" : "Pool exhausted",
                detail: acquisition.Detail,
                extensions: new Dictionary<string, object?> { ["reason"] = reason.ToWire() });
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Release(
        string leaseId, CallerIdLeases leases, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(leaseId, out var id))
        {
            return PoolEndpoints.Problem("leaseId", "leaseId is a lease's id (a GUID).");
        }

        return await leases.Release(id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No open lease", detail: $"Lease {id} is unknown or ended already.");
    }
}
