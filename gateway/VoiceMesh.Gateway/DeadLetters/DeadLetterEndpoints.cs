using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.HttpResults;
using RabbitMQ.Client.Exceptions;
using VoiceMesh.Gateway.Api;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.DeadLetters;

/// <summary>The body of a replay: the message ids to move back, or <c>all</c>.</summary>
internal sealed record ReplayRequest(IReadOnlyList<string?>? MessageIds, bool All);

/// <summary>
/// The operator's view of the broker's <c>_error</c> queues, behind the <c>/api</c> key: list them, read one, replay
/// chosen messages (or all) to the queue they faulted on.
/// </summary>
internal static partial class DeadLetterEndpoints
{
    public const string Prefix = "/api/admin/dead-letters";
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;
    public const int MaxReplayIds = 1000;
    private const int MaxReplayBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(Prefix).RequireAuthorization(ApiRegistration.Policy);
        group.MapGet("", List);
        group.MapGet("/{queue}", Show);
        group.MapPost("/{queue}/replay", Replay);
        return endpoints;
    }

    private static async Task<IResult> List(DeadLetterQueues queues, CancellationToken cancellationToken)
    {
        try
        {
            var listed = await queues.List(cancellationToken);
            return TypedResults.Ok(new { queues = listed });
        }
        catch (HttpRequestException ex)
        {
            return Unavailable($"RabbitMQ's management API did not answer: {ex.Message}");
        }
    }

    private static async Task<IResult> Show(
        string queue, string? limit, HttpContext context, DeadLetterQueues queues, ILogger<DeadLetterQueues> logger, CancellationToken cancellationToken)
    {
        if (Refused(queue) is { } refused)
        {
            return refused;
        }

        var count = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit", detail: $"limit is a whole number from 1 to {MaxLimit}.");
        }

        try
        {
            var read = await queues.Read(queue, count, cancellationToken);
            if (read is null)
            {
                return NotFound(queue);
            }

            var caller = Caller(context);
            LogRead(logger, caller, read.Count, queue);
            return TypedResults.Ok(new { queue, faultedOn = DeadLetterQueues.FaultedOn(queue), messages = read });
        }
        catch (Exception ex) when (IsBrokerFailure(ex))
        {
            return Unavailable($"RabbitMQ did not answer: {ex.Message}");
        }
    }

    private static async Task<IResult> Replay(
        string queue, HttpContext context, DeadLetterQueues queues, ILogger<DeadLetterQueues> logger, CancellationToken cancellationToken)
    {
        if (Refused(queue) is { } refused)
        {
            return refused;
        }

        var (request, bodyRefused) = await context.Request.ReadJson<ReplayRequest>(MaxReplayBodyBytes, cancellationToken);
        if (bodyRefused is not null)
        {
            return bodyRefused;
        }

        if (Invalid(request!) is { } invalid)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid replay", detail: invalid);
        }

        var caller = Caller(context);
        IReadOnlyList<string>? ids = request!.All ? null : [.. request.MessageIds!.Select(id => id!)];
        try
        {
            var outcome = await queues.Replay(queue, ids, cancellationToken);
            if (outcome is null)
            {
                return NotFound(queue);
            }

            LogReplayed(logger, caller, outcome.Moved, queue, DeadLetterQueues.FaultedOn(queue), outcome.Replayed, outcome.NotFound);
            return TypedResults.Ok(new { queue, faultedOn = DeadLetterQueues.FaultedOn(queue), replayed = outcome.Replayed, notFound = outcome.NotFound, moved = outcome.Moved });
        }
        catch (DeadLetterBrokerException ex)
        {
            LogReplayInterrupted(logger, caller, queue, ex.Replayed, ex);
            return Unavailable($"{ex.Message} Replayed before that: [{string.Join(", ", ex.Replayed)}].");
        }
        catch (Exception ex) when (IsBrokerFailure(ex))
        {
            return Unavailable($"RabbitMQ did not answer: {ex.Message}");
        }
    }

    /// <summary>Why a replay body cannot be acted on, or null: exactly one of a non-empty id list and <c>all: true</c>.</summary>
    public static string? Invalid(ReplayRequest request) => (request.MessageIds, request.All) switch
    {
        ({ }, true) => "Give either messageIds or all: true, not both.",
        (null, false) => "Give the messageIds to replay, or all: true.",
        ({ Count: 0 }, false) => "messageIds is empty; give at least one message id, or all: true.",
        ({ Count: > MaxReplayIds }, false) => $"At most {MaxReplayIds} message ids per replay.",
        ({ } ids, false) when ids.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > 256) => "Every message id is a non-empty string of at most 256 characters.",
        _ => null,
    };

    private static ProblemHttpResult? Refused(string queue) =>
        DeadLetterQueues.IsErrorQueue(queue) && queue.Length <= 255
            ? null
            : TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Not an error queue",
                detail: $"'{queue}' is not an error queue: their names end in '{DeadLetterQueues.Suffix}' (GET {Prefix} lists them).");

    private static ProblemHttpResult NotFound(string queue) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No such error queue",
        detail: $"The broker has no queue '{queue}', or no queue '{DeadLetterQueues.FaultedOn(queue)}' to return its messages to.");

    private static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Broker unavailable", detail: detail);

    private static bool IsBrokerFailure(Exception ex) =>
        ex is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or SocketException or TimeoutException;

    private static string Caller(HttpContext context) => context.User.Identity?.Name ?? "unknown";

    [LoggerMessage(Level = LogLevel.Information, Message = "{Caller} read {Count} dead letters of {Queue}")]
    private static partial void LogRead(ILogger logger, string caller, int count, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Caller} replayed {Moved} dead letters of {Queue} to {Target}: {MessageIds}; not found: {NotFound}")]
    private static partial void LogReplayed(
        ILogger logger, string caller, int moved, string queue, string target, IReadOnlyList<string> messageIds, IReadOnlyList<string> notFound);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Caller}'s replay of {Queue} stopped after {MessageIds}")]
    private static partial void LogReplayInterrupted(ILogger logger, string caller, string queue, IReadOnlyList<string> messageIds, Exception exception);
}
