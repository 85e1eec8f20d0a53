using System.Collections.Immutable;

namespace VoiceMesh.Calls.Flows;

/// <summary>The flow a call is in (the version it started with) and the path it took through it.</summary>
public sealed record CallFlow(string FlowId, int Version, ImmutableList<FlowPathEntry> Path);

/// <summary>
/// One mark on a call's path: a step entered (<see cref="Branch"/> for the way a business-hours step went or a menu
/// replayed), or what a step ended with (<see cref="Input"/> the caller gave, <see cref="Result"/> Twilio reported).
/// </summary>
public sealed record FlowPathEntry(string Step, FlowStepType Type, DateTimeOffset At, string? Branch = null, string? Input = null, string? Result = null);

/// <summary>A call's place in a queue, while it waits and after it left.</summary>
public sealed record QueuePlace
{
    public required string Name { get; init; }
    public required string Step { get; init; }
    public string? QueueSid { get; init; }
    public required int Position { get; init; }

    /// <summary>When Twilio put the caller in the queue: the first report's time less the time it had waited.</summary>
    public required DateTimeOffset EnqueuedAt { get; init; }

    public required DateTimeOffset ReportedAt { get; init; }
    public QueueResult? Result { get; init; }
    public DateTimeOffset? LeftAt { get; init; }

    /// <summary>Indexed: the queue a caller waits in now, null once it left.</summary>
    public string? WaitingIn { get; init; }
}
