using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>The body of <c>POST /api/numbers/provisioning</c> (as <see cref="ProvisionNumbers"/>; a missing request id is generated).</summary>
public sealed record ProvisionRequest(
    string? RequestId = null, string? Pool = null, string? Country = null, IReadOnlyList<int>? AreaCodes = null, string? Region = null,
    int? Count = null, IReadOnlyList<string>? Capabilities = null, string? RequestedBy = null);

/// <summary>The body of <c>POST /api/numbers/imports</c>.</summary>
public sealed record ImportRequest(string? RequestId = null, string? Pool = null, IReadOnlyList<string>? PhoneNumbers = null, string? RequestedBy = null);

/// <summary>The answer to an accepted provisioning or import request: where its outcome is reported.</summary>
public sealed record AcceptedRequest(string RequestId);

/// <summary>One number of a provisioning request, as far as it got.</summary>
public sealed record PlannedNumber(string PhoneNumber, string State, int? ErrorCode, string? ErrorMessage);

/// <summary>A provisioning or import request's outcome, per number (<c>GET /api/numbers/provisioning/{requestId}</c>).</summary>
public sealed record ProvisioningResponse(
    string RequestId, string Status, string? Pool, int Requested, IReadOnlyList<PlannedNumber> Numbers, IReadOnlyList<Shortfall> Shortfalls,
    IReadOnlyList<string> NotOwned, string? RejectedField, string? RejectedReason, string? RequestedBy, DateTimeOffset At);

internal static class ProvisioningEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;

    public static RouteGroupBuilder MapProvisioningEndpoints(this RouteGroupBuilder numbers)
    {
        numbers.MapPost("/provisioning", Provision).WithName("ProvisionNumbers");
        numbers.MapPost("/imports", Import).WithName("ImportNumbers");
        numbers.MapGet("/provisioning/{requestId}", Get).WithName("GetProvisioning");
        return numbers;
    }

    private static async Task<Results<Accepted<AcceptedRequest>, ValidationProblem, ProblemHttpResult>> Provision(
        HttpRequest request, IPublishEndpoint bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, refused) = await request.ReadJson<ProvisionRequest>(MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var command = new ProvisionNumbers
        {
            RequestId = body!.RequestId ?? Guid.NewGuid().ToString("N"),
            Pool = body.Pool ?? "",
            Country = body.Country ?? "",
            AreaCodes = body.AreaCodes ?? [],
            Region = body.Region,
            Count = body.Count ?? 0,
            Capabilities = body.Capabilities ?? [NumberCapabilities.Voice],
            RequestedBy = body.RequestedBy ?? "",
            OccurredAt = clock.GetUtcNow(),
        };
        if (ProvisioningValidator.Validate(command) is { } invalid)
        {
            return PoolEndpoints.Problem(invalid.Field, invalid.Reason);
        }

        await bus.Publish(command, cancellationToken);
        return TypedResults.Accepted($"/api/numbers/provisioning/{command.RequestId}", new AcceptedRequest(command.RequestId));
    }

    private static async Task<Results<Accepted<AcceptedRequest>, ValidationProblem, ProblemHttpResult>> Import(
        HttpRequest request, IPublishEndpoint bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, refused) = await request.ReadJson<ImportRequest>(MaxBodyBytes, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var command = new ImportNumbers
        {
            RequestId = body!.RequestId ?? Guid.NewGuid().ToString("N"),
            Pool = body.Pool ?? "",
            PhoneNumbers = body.PhoneNumbers ?? [],
            RequestedBy = body.RequestedBy ?? "",
            OccurredAt = clock.GetUtcNow(),
        };
        if (ProvisioningValidator.Validate(command) is { } invalid)
        {
            return PoolEndpoints.Problem(invalid.Field, invalid.Reason);
        }

        await bus.Publish(command, cancellationToken);
        return TypedResults.Accepted($"/api/numbers/provisioning/{command.RequestId}", new AcceptedRequest(command.RequestId));
    }

    private static async Task<Results<Ok<ProvisioningResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string requestId, IQuerySession session, CancellationToken cancellationToken)
    {
        if (requestId.Length > ProvisioningValidator.MaxRequestIdLength || requestId.Any(char.IsControl))
        {
            return PoolEndpoints.Problem("requestId", $"requestId is 1-{ProvisioningValidator.MaxRequestIdLength} characters.");
        }

        if (await session.LoadAsync<ProvisioningPlan>(ProvisioningPlan.StreamId(requestId), cancellationToken) is not { } plan)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "Request not found",
                detail: $"No provisioning or import request {requestId} is known (yet: requests are planned from the bus).");
        }

        var numbers = (await session.LoadManyAsync<Number>(cancellationToken, plan.Numbers)).ToDictionary(n => n.Id, StringComparer.Ordinal);
        return TypedResults.Ok(new ProvisioningResponse(
            plan.RequestId, plan.Status.ToWire(), plan.Pool, plan.Requested,
            [.. plan.Numbers.Select(n => numbers.TryGetValue(n, out var number)
                ? new PlannedNumber(n, number.State.ToWire(), number.ErrorCode, number.ErrorMessage)
                : new PlannedNumber(n, NumberState.Provisioning.ToWire(), null, null))],
            plan.Shortfalls, plan.NotOwned, plan.RejectedField, plan.RejectedReason, plan.RequestedBy, plan.At));
    }
}
