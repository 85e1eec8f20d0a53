using VoiceMesh.TwilioSimulator.TwimlRuntime;

namespace VoiceMesh.TwilioSimulator.Queues;

/// <summary>A call queue (REFERENCE §10). Use only under the TwiML engine's lock.</summary>
internal sealed class SimQueue
{
    public const int DefaultMaxSize = 1000;

    public required string Sid { get; init; }

    public required string AccountSid { get; init; }

    public required string FriendlyName { get; set; }

    public int MaxSize { get; set; } = DefaultMaxSize;

    public required DateTimeOffset DateCreated { get; init; }

    public DateTimeOffset DateUpdated { get; set; }

    /// <summary>Waiting calls, front first (exact FIFO: the order they were enqueued in).</summary>
    public List<QueueMember> Members { get; } = [];

    /// <summary>Callers running <c>&lt;Dial&gt;&lt;Queue&gt;</c> on this queue while it was empty, first first.</summary>
    public List<TwimlSession> Waiters { get; } = [];

    /// <summary>Whole seconds each current member has waited, averaged (0 when empty).</summary>
    public int AverageWaitSeconds(DateTimeOffset now) =>
        Members.Count == 0 ? 0 : (int)Members.Average(m => WaitSeconds(m, now));

    public static int WaitSeconds(QueueMember member, DateTimeOffset now) => (int)Math.Max(0, (now - member.EnqueuedAt).TotalSeconds);
}
