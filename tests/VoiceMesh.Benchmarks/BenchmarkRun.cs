using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// The run of a scenario the harness is in: the scenario, which of its repeated runs this is (from 1), and where the
/// report goes (null without <c>--report</c>), so a scenario can write evidence beside it, e.g. with
/// <see cref="CounterCapture"/>. The files written are listed under the run in the report.
/// </summary>
internal sealed class BenchmarkRun(string scenario, int run, string? reportDirectory, CounterTool counters)
{
    private readonly List<string> _evidence = [];

    public string Scenario { get; } = scenario;

    public int Run { get; } = run;

    /// <summary>The report's folder; null when no report is written.</summary>
    public string? ReportDirectory { get; } = reportDirectory;

    /// <summary>Whether dotnet-counters can be run here, and why not.</summary>
    public CounterTool Counters { get; } = counters;

    /// <summary>The evidence files written during the run, relative to <see cref="ReportDirectory"/>.</summary>
    public IReadOnlyList<string> Evidence => _evidence;

    /// <summary>A run that writes no report (a scenario run on its own, without the harness's report).</summary>
    public static BenchmarkRun Unreported(string scenario) => new(scenario, 1, null, CounterTool.NotProbed);

    /// <summary>Records a file written into the report's folder, given relative to it.</summary>
    public void AddEvidence(string relativePath) => _evidence.Add(relativePath);
}

/// <summary>
/// A scenario that writes evidence beside the report: the harness runs it with the <see cref="BenchmarkRun"/> it is in.
/// Implement this instead of <see cref="IScenario"/> and take the run as the second argument of
/// <see cref="Run(TestInfrastructure, BenchmarkRun, CancellationToken)"/>; <see cref="IScenario.Run"/> then runs it unreported.
/// </summary>
internal interface IReportingScenario : IScenario
{
    Task<ScenarioResult> Run(TestInfrastructure infrastructure, BenchmarkRun run, CancellationToken cancellationToken);

    Task<ScenarioResult> IScenario.Run(TestInfrastructure infrastructure, CancellationToken cancellationToken) =>
        Run(infrastructure, BenchmarkRun.Unreported(Name), cancellationToken);
}

/// <summary>Runs a scenario in a <see cref="BenchmarkRun"/>: a reporting scenario gets the run, any other runs as before.</summary>
internal static class ScenarioRunner
{
    public static Task<ScenarioResult> RunIn(this IScenario scenario, BenchmarkRun run, TestInfrastructure infrastructure, CancellationToken cancellationToken) =>
        scenario is IReportingScenario reporting
            ? reporting.Run(infrastructure, run, cancellationToken)
            : scenario.Run(infrastructure, cancellationToken);
}
