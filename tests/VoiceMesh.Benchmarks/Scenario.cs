using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>What one scenario measured, and whether that meets its acceptance.</summary>
internal sealed record ScenarioResult(string Name, bool Passed, string Summary)
{
    /// <summary>The run's figures, as the report lists them (in this order).</summary>
    public IReadOnlyList<Figure> Figures { get; init; } = [];

    /// <summary>For each target the run missed: the target, and the measured bound that kept it from it.</summary>
    public IReadOnlyList<string> Bounds { get; init; } = [];
}

/// <summary>Whether a figure meets its target at or above it, or at or below it.</summary>
internal enum TargetKind
{
    AtLeast,
    AtMost,
}

/// <summary>The value a figure is judged against.</summary>
internal sealed record FigureTarget(TargetKind Kind, double Value)
{
    public bool IsMetBy(double value) => Kind == TargetKind.AtLeast ? value >= Value : value <= Value;

    public override string ToString() => $"{(Kind == TargetKind.AtLeast ? ">=" : "<=")} {Value:G}";
}

/// <summary>
/// One measured figure of a run: a rate, a latency, a count, a ratio, a peak RSS. <see cref="Baseline"/> names the figure
/// of the same run this one is reported against (its ratio), <see cref="Target"/> what it must reach.
/// </summary>
internal sealed record Figure(string Name, double Value, string Unit)
{
    public FigureTarget? Target { get; init; }

    public string? Baseline { get; init; }
}

/// <summary>A benchmark scenario: starts what it measures on the shared infrastructure, and stops it again.</summary>
internal interface IScenario
{
    string Name { get; }

    Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken);
}

/// <summary>Facts about the machine a figure was taken on.</summary>
internal static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages, or n/a where /proc/loadavg does not exist.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
