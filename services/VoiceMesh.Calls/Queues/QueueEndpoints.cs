using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Queues;

/// <summary>A queue as the callers in it report: who waits, in which order, for how long.</summary>
public sealed record QueueResponse(string Name, int Size, int LongestWaitSeconds, int AverageWaitSeconds, IReadOnlyList<QueuedCallerResponse> Callers);

/// <summary>
/// A waiting caller. <see cref="Position"/> is the caller's place in the queue's order (1 waited longest);
/// <see cref="ReportedPosition"/> is what Twilio last said on the caller's wait request.
/// </summary>
public sealed record QueuedCallerResponse(string CallSid, int Position, int ReportedPosition, int WaitSeconds, DateTimeOffset EnqueuedAt);

/// <summary>A queue in the list <c>GET /api/queues</c> answers with: how many wait and the longest wait.</summary>
public sealed record QueueSummary(string Name, int Size, int LongestWaitSeconds);

public sealed record DequeueRequest(string? To, string? CallerId = null, string? RequestId = null);

public sealed record DequeueAccepted(string RequestId);

internal static class QueueEndpoints
{
    /// <summary><c>GET /api/queues</c>, <c>GET /api/queues/{name}</c> and <c>POST /api/queues/{name}/dequeue</c>.</summary>
    public static RouteGroupBuilder MapQueueEndpoints(this RouteGroupBuilder queues)
    {
        queues.MapGet("/", ListQueues).WithName("ListQueues");
        queues.MapGet("/{name}", GetQueue).WithName("GetQueue");
        queues.MapPost("/{name}/dequeue", Dequeue);
        return queues;
    }

    /// <summary>Every queue someone waits in now, the fullest first; a queue nobody waits in is not listed.</summary>
    private static async Task<Ok<IReadOnlyList<QueueSummary>>> ListQueues(IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var waiting = await session.Query<Call>()
            .Where(c => c.Queue!.WaitingIn != null && !c.IsTerminal)
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<QueueSummary>>([.. waiting
            .GroupBy(c => c.Queue!.WaitingIn!, StringComparer.Ordinal)
            .Select(g => new QueueSummary(g.Key, g.Count(), Math.Max(0, (int)(now - g.Min(c => c.Queue!.EnqueuedAt)).TotalSeconds)))
            .OrderByDescending(q => q.Size)
            .ThenBy(q => q.Name, StringComparer.Ordinal)]);
    }

    private static async Task<Ok<QueueResponse>> GetQueue(string name, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var waiting = await session.Query<Call>()
            .Where(c => c.Queue!.WaitingIn == name && !c.IsTerminal)
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        var callers = waiting
            .OrderBy(c => c.Queue!.EnqueuedAt.UtcTicks / TimeSpan.TicksPerSecond)
            .ThenBy(c => c.Queue!.Position)
            .ThenBy(c => c.Id, StringComparer.Ordinal)
            .Select((c, i) => new QueuedCallerResponse(
                c.Id, i + 1, c.Queue!.Position, Math.Max(0, (int)(now - c.Queue.EnqueuedAt).TotalSeconds), c.Queue.EnqueuedAt))
            .ToList();
        return TypedResults.Ok(new QueueResponse(
            name,
            callers.Count,
            callers.Count == 0 ? 0 : callers.Max(c => c.WaitSeconds),
            callers.Count == 0 ? 0 : (int)callers.Average(c => c.WaitSeconds),
            callers));
    }

    private static async Task<Results<Accepted<DequeueAccepted>, ValidationProblem>> Dequeue(
        string name, DequeueRequest body, IPublishEndpoint bus, TimeProvider clock, CancellationToken ct)
    {
        var command = new DequeueCall
        {
            RequestId = body.RequestId ?? Guid.NewGuid().ToString("N"),
            Queue = name,
            To = body.To ?? "",
            CallerId = body.CallerId,
            OccurredAt = clock.GetUtcNow(),
        };
        if (DequeueCallConsumer.Validate(command) is { } violation)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [violation.Field] = [violation.Reason] });
        }

        await bus.Publish(command, ct);
        return TypedResults.Accepted((string?)null, new DequeueAccepted(command.RequestId));
    }
}
