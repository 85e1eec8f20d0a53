using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks.Tests;

public sealed class BenchmarkRunSpecs
{
    [Fact]
    public async Task The_harness_gives_a_reporting_scenario_the_run_it_is_in()
    {
        var scenario = new RecordingScenario();
        var run = new BenchmarkRun("recording", 2, "/tmp/report", CounterTool.NotProbed);

        await ((IScenario)scenario).RunIn(run, new TestInfrastructure(), TestContext.Current.CancellationToken);

        Assert.Same(run, scenario.Seen);
    }

    [Fact]
    public async Task A_reporting_scenario_run_on_its_own_runs_unreported()
    {
        var scenario = new RecordingScenario();

        await ((IScenario)scenario).Run(new TestInfrastructure(), TestContext.Current.CancellationToken);

        Assert.Equal(("recording", 1, null), (scenario.Seen!.Scenario, scenario.Seen.Run, scenario.Seen.ReportDirectory));
    }

    [Fact]
    public async Task Counters_are_not_collected_without_a_report()
    {
        var run = BenchmarkRun.Unreported("recording");

        await using (await CounterCapture.Start(run, [("benchmark", Environment.ProcessId)], TimeSpan.FromMinutes(10)))
        {
        }

        Assert.Empty(run.Evidence);
    }

    private sealed class RecordingScenario : IReportingScenario
    {
        public string Name => "recording";

        public BenchmarkRun? Seen { get; private set; }

        public Task<ScenarioResult> Run(TestInfrastructure infrastructure, BenchmarkRun run, CancellationToken cancellationToken)
        {
            Seen = run;
            return Task.FromResult(new ScenarioResult(Name, true, "recorded"));
        }
    }
}
