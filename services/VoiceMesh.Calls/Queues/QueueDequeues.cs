using System.Collections.Immutable;

namespace VoiceMesh.Calls.Queues;

/// <summary>A waiting caller was chosen for an agent; the bridge itself follows from the event store.</summary>
public sealed record QueuedCallDequeued
{
    public required string Queue { get; init; }
    public required string QueueSid { get; init; }
    public required string CallSid { get; init; }
    public required string To { get; init; }
    public string? CallerId { get; init; }
    public required string RequestId { get; init; }
    public required DateTimeOffset DequeuedAt { get; init; }
}

/// <summary>A waiting caller as Twilio lists it: position 1 is the one who waited longest.</summary>
public sealed record QueueMember(string CallSid, int Position);

/// <summary>
/// The dequeues decided for one queue (stream <c>queue/{name}</c>): the callers already handed to an agent, so
/// two agents asking at once never get the same caller, and the next request takes the next one in Twilio's order.
/// </summary>
public sealed record QueueDequeues
{
    /// <summary>Callers remembered; a caller leaves Twilio's list within seconds of its dequeue, so a few suffice.</summary>
    public const int Remembered = 1000;

    public required string Id { get; init; }
    public ImmutableList<string> Dequeued { get; init; } = [];

    public static string StreamId(string queue) => $"queue/{queue}";

    /// <summary>The longest-waiting member not yet handed to an agent, or nothing when none is left.</summary>
    public static QueuedCallDequeued? Choose(
        QueueDequeues? state, IReadOnlyList<QueueMember> members, string queue, string queueSid, string to, string? callerId, string requestId, DateTimeOffset now)
    {
        var next = members.OrderBy(m => m.Position).FirstOrDefault(m => state?.Dequeued.Contains(m.CallSid) != true);
        return next is null
            ? null
            : new QueuedCallDequeued
            {
                Queue = queue, QueueSid = queueSid, CallSid = next.CallSid, To = to, CallerId = callerId, RequestId = requestId, DequeuedAt = now,
            };
    }

    public static QueueDequeues Create(QueuedCallDequeued e) => new QueueDequeues { Id = StreamId(e.Queue) }.Apply(e);

    public QueueDequeues Apply(QueuedCallDequeued e)
    {
        var dequeued = Dequeued.Add(e.CallSid);
        return this with { Dequeued = dequeued.Count > Remembered ? dequeued.RemoveRange(0, dequeued.Count - Remembered) : dequeued };
    }
}
