namespace VoiceMesh.Benchmarks;

/// <summary>One run of one scenario as the report keeps it: its result, or none when it did not run to the end.</summary>
internal sealed record ScenarioRun(string Scenario, int Run, ScenarioResult? Result)
{
    /// <summary>The counter files (and other evidence) written beside the report during the run, relative to the report's folder.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];
}

/// <summary>The report of one invocation of the harness: where it ran, and every chosen scenario's runs and figures.</summary>
internal sealed record BenchmarkReport(MachineFacts Machine, int RunsPerScenario, IReadOnlyList<ScenarioReport> Scenarios);

/// <summary>One scenario over its repeated runs: each run, and each figure aggregated over the runs.</summary>
internal sealed record ScenarioReport(string Name, IReadOnlyList<RunReport> Runs, IReadOnlyList<FigureReport> Figures)
{
    public int Passed => Runs.Count(r => r.Passed);
}

/// <summary>One run's outcome: passed or not, its summary line, its figures as measured, and the evidence it left.</summary>
internal sealed record RunReport(
    int Run, bool Completed, bool Passed, string Summary, IReadOnlyList<RunFigure> Figures, IReadOnlyList<string> Evidence)
{
    /// <summary>For each target the run missed, the measured bound that kept it from it.</summary>
    public IReadOnlyList<string> Bounds { get; init; } = [];
}

/// <summary>A figure as one run measured it.</summary>
internal sealed record RunFigure(string Name, double Value, string Unit);

/// <summary>
/// A figure over the runs that measured it: min, median and max of its values (in run order in <see cref="Values"/>),
/// whether the median meets the target and its ratio to it (median / target: below 1 misses an at-least target,
/// above 1 an at-most one), and the median of its baseline figure with the ratio of the two medians.
/// </summary>
internal sealed record FigureReport(
    string Name,
    string Unit,
    IReadOnlyList<FigureValue> Values,
    double Min,
    double Median,
    double Max,
    FigureTarget? Target,
    bool? Met,
    double? TargetRatio,
    string? Baseline,
    double? BaselineMedian,
    double? BaselineRatio);

/// <summary>The value a figure had in one run.</summary>
internal sealed record FigureValue(int Run, double Value);

/// <summary>Aggregates the runs of each scenario into the report: pure, so it is tested without running anything.</summary>
internal static class ReportAggregation
{
    /// <summary>
    /// Groups <paramref name="runs"/> by scenario (in the order they first appear) and aggregates each figure over the
    /// runs that have it, in the order the figures first appear. A run that did not finish counts as failed and adds no value.
    /// </summary>
    public static BenchmarkReport Aggregate(MachineFacts machine, int runsPerScenario, IReadOnlyList<ScenarioRun> runs) =>
        new(machine, runsPerScenario, [.. runs.GroupBy(r => r.Scenario, StringComparer.Ordinal).Select(g => Scenario(g.Key, [.. g]))]);

    public static ScenarioReport Scenario(string name, IReadOnlyList<ScenarioRun> runs)
    {
        var reports = runs.Select(run => new RunReport(
                run.Run,
                run.Result is not null,
                run.Result?.Passed ?? false,
                run.Result?.Summary ?? "did not run to the end",
                [.. (run.Result?.Figures ?? []).Select(f => new RunFigure(f.Name, f.Value, f.Unit))],
                run.Evidence) { Bounds = run.Result?.Bounds ?? [] })
            .ToList();
        var measured = runs.Where(r => r.Result is not null).SelectMany(r => r.Result!.Figures.Select(f => (r.Run, Figure: f))).ToList();
        var medians = measured.GroupBy(m => m.Figure.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Median([.. g.Select(m => m.Figure.Value)]), StringComparer.Ordinal);
        var figures = measured.GroupBy(m => m.Figure.Name, StringComparer.Ordinal)
            .Select(g => Figure([.. g], medians))
            .ToList();
        return new ScenarioReport(name, reports, figures);
    }

    /// <summary>The middle value; for an even count, the mean of the two middle values.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("A median needs at least one value.", nameof(values));
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static FigureReport Figure(IReadOnlyList<(int Run, Figure Figure)> measured, Dictionary<string, double> medians)
    {
        var first = measured[0].Figure;
        var values = measured.Select(m => m.Figure.Value).ToList();
        var median = Median(values);
        var target = measured.Select(m => m.Figure.Target).FirstOrDefault(t => t is not null);
        var baseline = measured.Select(m => m.Figure.Baseline).FirstOrDefault(b => b is not null);
        double? baselineMedian = baseline is not null && medians.TryGetValue(baseline, out var b) ? b : null;
        return new FigureReport(
            first.Name,
            first.Unit,
            [.. measured.Select(m => new FigureValue(m.Run, m.Figure.Value))],
            values.Min(),
            median,
            values.Max(),
            target,
            target?.IsMetBy(median),
            target is { Value: not 0 } ? median / target.Value : null,
            baseline,
            baselineMedian,
            baselineMedian is { } denominator and not 0 ? median / denominator : null);
    }
}
