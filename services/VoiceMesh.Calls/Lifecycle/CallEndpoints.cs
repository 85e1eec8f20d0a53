using Microsoft.AspNetCore.Http.HttpResults;
using Marten;
using VoiceMesh.Calls.CallRecordings;
using VoiceMesh.Calls.CallStreams;
using VoiceMesh.Calls.Costs;
using VoiceMesh.Calls.Flows;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Lifecycle;

/// <summary>The read model <c>GET /api/calls/{callSid}</c> answers with, in Twilio's wire strings.</summary>
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
    IReadOnlyList<CallHistoryResponse> History,
    CallFlowResponse? Flow,
    CallQueueResponse? Queue,
    IReadOnlyList<CallRecordingResponse> Recordings,
    IReadOnlyList<CallStreamResponse> Streams,
    IReadOnlyList<StreamGapResponse> StreamGaps,
    Money? Price,
    string? TraceId)
{
    public static CallResponse Of(Call call) => new(
        call.Id,
        call.Status.ToWire(),
        call.Direction,
        call.From,
        call.To,
        call.AnsweredBy?.ToWire(),
        call.DurationSeconds,
        call.SipResponseCode,
        call.RequestId,
        call.PlacementAttempts,
        call.Timings(),
        [.. call.History.Select(h => new CallHistoryResponse(h.Status.ToWire(), h.SequenceNumber, h.Timestamp, h.Source.ToWire()))],
        call.Flow is { } flow
            ? new CallFlowResponse(flow.FlowId, flow.Version, [.. flow.Path.Select(p => new FlowPathResponse(p.Step, p.Type.ToWire(), p.At, p.Branch, p.Input, p.Result))])
            : null,
        call.Queue is { } queue ? new CallQueueResponse(queue.Name, queue.Position, queue.EnqueuedAt, queue.Result?.ToWire(), queue.LeftAt) : null,
        [.. call.Recordings.Select(r => new CallRecordingResponse(r.RecordingSid, r.Status.ToWire()))],
        [.. call.Streams.Select(s => new CallStreamResponse(s.StreamSid, s.Tracks, s.CustomParameters, s.StartedAt, s.StoppedAt, s.StopReason?.ToWire(), s.RestartedAs))],
        [.. call.Streams.Where(s => s.RestartedAs is not null).Select(s => StreamGapResponse.Of(s, call.Streams.Find(r => r.StreamSid == s.RestartedAs)))],
        call.Price,
        call.TraceId);
}

/// <summary>
/// A call in a list (<c>GET /api/calls</c>): where it stands, the queue it waits in, the trace of its placement, and
/// <see cref="Call"/>, the path of its whole read model.
/// </summary>
public sealed record CallSummary(
    string CallSid,
    string Call,
    string Status,
    string? Direction,
    string? From,
    string? To,
    string? AnsweredBy,
    int? DurationSeconds,
    string? Queue,
    string? FlowId,
    DateTimeOffset? LastChangedAt,
    string? TraceId)
{
    public static CallSummary Of(Call call) => new(
        call.Id, $"/api/calls/{call.Id}", call.Status.ToWire(), call.Direction, call.From, call.To, call.AnsweredBy?.ToWire(),
        call.DurationSeconds, call.Queue?.Name, call.Flow?.FlowId, call.LastChangedAt, call.TraceId);
}

/// <summary>
/// A Media Stream of the call: when it started and stopped, why it stopped (<c>stopped</c>, <c>closed</c>, <c>dropped</c>,
/// <c>duplicate</c>, <c>protocol-error</c>) and, for a dropped stream, the stream Twilio restarted it as.
/// </summary>
public sealed record CallStreamResponse(
    string StreamSid, IReadOnlyList<string> Tracks, IReadOnlyDictionary<string, string> CustomParameters, DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt, string? StopReason, string? RestartedAs);

/// <summary>Audio the call's streams missed: from the drop until the restarted stream started (<see cref="To"/> null until it has).</summary>
public sealed record StreamGapResponse(string StreamSid, string RestartedAs, DateTimeOffset From, DateTimeOffset? To, long? GapMs)
{
    public static StreamGapResponse Of(CallStreamEntry dropped, CallStreamEntry? restarted)
    {
        var from = dropped.DroppedAt ?? dropped.StoppedAt!.Value;
        var to = restarted?.StartedAt;
        return new StreamGapResponse(dropped.StreamSid, dropped.RestartedAs!, from, to, to is { } t ? (long)(t - from).TotalMilliseconds : null);
    }
}

/// <summary>The flow that answered the call, the version it keeps, and the caller's path through it.</summary>
public sealed record CallFlowResponse(string FlowId, int Version, IReadOnlyList<FlowPathResponse> Path);

public sealed record FlowPathResponse(string Step, string Type, DateTimeOffset At, string? Branch, string? Input, string? Result);

/// <summary>The queue the caller waits (or waited) in; <see cref="Result"/> is Twilio's <c>QueueResult</c> once it left.</summary>
public sealed record CallQueueResponse(string Name, int Position, DateTimeOffset EnqueuedAt, string? Result, DateTimeOffset? LeftAt);

/// <summary>A recording of the call and where it stands in the Recordings service's archive (<c>archived</c>, <c>purged</c>).</summary>
public sealed record CallRecordingResponse(string RecordingSid, string Status);

public sealed record CallHistoryResponse(string Status, int? SequenceNumber, DateTimeOffset? Timestamp, string Source);

internal static class CallEndpoints
{
    public static RouteGroupBuilder MapCallEndpoints(this RouteGroupBuilder calls)
    {
        calls.MapGet("/{callSid}", GetCall).WithName("GetCall");
        calls.MapGet("/", ListCalls).WithName("ListCalls");
        return calls;
    }

    /// <summary>The calls one list answers with when <c>limit</c> is not given, and the most it may ask for.</summary>
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 200;

    /// <summary>
    /// <c>GET /api/calls?status=&amp;live=&amp;limit=</c>: the calls that changed last first; <c>status</c> one wire status,
    /// <c>live=true</c> only calls not ended yet.
    /// </summary>
    private static async Task<Results<Ok<IReadOnlyList<CallSummary>>, ValidationProblem>> ListCalls(
        string? status, bool? live, int? limit, IQuerySession session, CancellationToken cancellationToken)
    {
        if (!ListParameters.TryStatus<CallStatus>(status, CallStatusWire.ToWire, out var wanted, out var badStatus))
        {
            return badStatus;
        }

        if (!ListParameters.TryLimit(limit, DefaultListLimit, MaxListLimit, out var count, out var badLimit))
        {
            return badLimit;
        }

        IQueryable<Call> query = session.Query<Call>();
        if (wanted is { } s)
        {
            query = query.Where(c => c.Status == s);
        }

        if (live == true)
        {
            query = query.Where(c => !c.IsTerminal);
        }

        var found = await query.OrderByDescending(c => c.LastChangedAt).Take(count).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<CallSummary>>([.. found.Select(CallSummary.Of)]);
    }

    private static async Task<Results<Ok<CallResponse>, ProblemHttpResult>> GetCall(
        string callSid, IQuerySession session, CancellationToken cancellationToken)
    {
        var call = await session.LoadAsync<Call>(callSid, cancellationToken);
        if (call is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Call not found",
                detail: $"No call with sid {callSid} is known.");
        }

        return TypedResults.Ok(CallResponse.Of(call));
    }
}
