using System.Diagnostics;

namespace VoiceMesh.ChaosTests;

/// <summary>One fault as injected: what, when (from the start of the traffic), how long it lasted and how long the mesh took to recover.</summary>
internal sealed record FaultRecord
{
    /// <summary>The build item's letter: a (SIGKILL), b (broker), c (database), d (simulator), e (second instance), f (broker under a burst).</summary>
    public required string Kind { get; init; }

    public required string Name { get; init; }

    public required string Description { get; init; }

    public required TimeSpan StartedAt { get; init; }

    /// <summary>From the fault's injection until it was lifted (the process ready again, the server up, the faults cleared).</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>
    /// From the fault being lifted until a callback sent after it was acknowledged and every callback acknowledged so far
    /// was applied; null when that did not happen within the profile's recovery limit.
    /// </summary>
    public TimeSpan? RecoveredAfter { get; set; }

    public string Note { get; set; } = "";
}

/// <summary>
/// The run's clock and its phases: every request is labelled with the phase it was first sent in (<c>steady</c>, or
/// the fault under way and its recovery), so the report counts losses and duplicates per fault window.
/// </summary>
internal sealed class ChaosTimeline
{
    public const string Steady = "steady";

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<FaultRecord> _faults = [];
    private volatile string _phase = Steady;

    public TimeSpan Now => _clock.Elapsed;

    public string Phase => _phase;

    public IReadOnlyList<FaultRecord> Faults => _faults;

    /// <summary>Every phase in the order it began, <c>steady</c> first.</summary>
    public IReadOnlyList<string> Phases => [Steady, .. _faults.Select(f => f.Name)];

    public FaultRecord Begin(string kind, string name, string description)
    {
        var fault = new FaultRecord { Kind = kind, Name = name, Description = description, StartedAt = Now };
        _faults.Add(fault);
        _phase = name;
        return fault;
    }

    public void BackToSteady() => _phase = Steady;
}
