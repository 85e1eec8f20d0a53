namespace VoiceMesh.Benchmarks.Tests;

public sealed class ReportAggregationSpecs
{
    private static readonly FigureTarget AtLeastThousand = new(TargetKind.AtLeast, 1_000);
    private static readonly FigureTarget AtMostHundred = new(TargetKind.AtMost, 100);

    [Theory]
    [InlineData(new[] { 7.0 }, 7.0)]
    [InlineData(new[] { 3.0, 1.0, 2.0 }, 2.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 2.0 }, 2.5)]
    [InlineData(new[] { 10.0, 20.0 }, 15.0)]
    public void The_median_is_the_middle_value_or_the_mean_of_the_two_middle_values(double[] values, double median)
    {
        Assert.Equal(median, ReportAggregation.Median(values));
    }

    [Fact]
    public void Three_runs_give_min_median_and_max_in_run_order()
    {
        var report = ReportAggregation.Scenario("number-acquire", [Run(1, 1_200), Run(2, 900), Run(3, 1_100)]);

        var figure = Assert.Single(report.Figures);
        Assert.Equal((900.0, 1_100.0, 1_200.0), (figure.Min, figure.Median, figure.Max));
        Assert.Equal([new FigureValue(1, 1_200), new FigureValue(2, 900), new FigureValue(3, 1_100)], figure.Values);
    }

    [Fact]
    public void Two_runs_give_the_mean_of_both_as_the_median()
    {
        var report = ReportAggregation.Scenario("number-acquire", [Run(1, 800), Run(2, 1_400)]);

        Assert.Equal(1_100, Assert.Single(report.Figures).Median);
    }

    [Fact]
    public void A_median_at_or_above_an_at_least_target_meets_it()
    {
        var figure = Assert.Single(ReportAggregation.Scenario("number-acquire", [Run(1, 1_000), Run(2, 990), Run(3, 1_500)]).Figures);

        Assert.True(figure.Met);
        Assert.Equal(1.0, figure.TargetRatio);
    }

    [Fact]
    public void A_median_below_an_at_least_target_misses_it_by_its_ratio_to_the_target()
    {
        var figure = Assert.Single(ReportAggregation.Scenario("number-acquire", [Run(1, 400), Run(2, 450), Run(3, 2_000)]).Figures);

        Assert.False(figure.Met);
        Assert.Equal(0.45, figure.TargetRatio!.Value, 6);
    }

    [Fact]
    public void A_median_above_an_at_most_target_misses_it_by_its_ratio_to_the_target()
    {
        List<ScenarioRun> runs =
        [
            Run(1, new Figure("command p99", 90, "ms") { Target = AtMostHundred }),
            Run(2, new Figure("command p99", 250, "ms") { Target = AtMostHundred }),
            Run(3, new Figure("command p99", 130, "ms") { Target = AtMostHundred }),
        ];

        var figure = Assert.Single(ReportAggregation.Scenario("conference-commands", runs).Figures);

        Assert.False(figure.Met);
        Assert.Equal(1.3, figure.TargetRatio!.Value, 6);
    }

    [Fact]
    public void A_figure_without_a_target_is_neither_met_nor_missed()
    {
        var figure = Assert.Single(ReportAggregation.Scenario("placement-cps", [Run(1, new Figure("wall time", 21.5, "s"))]).Figures);

        Assert.Null(figure.Met);
        Assert.Null(figure.TargetRatio);
    }

    [Fact]
    public void The_baseline_ratio_is_the_median_over_the_baseline_figures_median()
    {
        var runs = new[] { (50.0, 10.0), (40.0, 8.0), (60.0, 5.0) }
            .Select((p, i) => Run(
                i + 1,
                new Figure("command p99", p.Item1, "ms") { Target = AtMostHundred, Baseline = "baseline p99" },
                new Figure("baseline p99", p.Item2, "ms")))
            .ToList();

        var figure = ReportAggregation.Scenario("conference-commands", runs).Figures[0];

        Assert.Equal(("baseline p99", 8.0), (figure.Baseline, figure.BaselineMedian));
        Assert.Equal(50.0 / 8.0, figure.BaselineRatio!.Value, 6);
    }

    [Fact]
    public void A_baseline_no_run_measured_gives_no_ratio()
    {
        var figure = Assert.Single(ReportAggregation.Scenario(
            "conference-commands", [Run(1, new Figure("command p99", 50, "ms") { Baseline = "baseline p99" })]).Figures);

        Assert.Equal("baseline p99", figure.Baseline);
        Assert.Null(figure.BaselineMedian);
        Assert.Null(figure.BaselineRatio);
    }

    [Fact]
    public void A_figure_missing_from_one_run_is_aggregated_over_the_runs_that_measured_it()
    {
        var runs = new[]
        {
            Run(1, new Figure("acquisitions", 1_200, "/s"), new Figure("CPU per acquisition NumberPool", 0.4, "ms")),
            Run(2, new Figure("acquisitions", 1_000, "/s")),
            Run(3, new Figure("acquisitions", 1_100, "/s"), new Figure("CPU per acquisition NumberPool", 0.6, "ms")),
        };

        var cpu = ReportAggregation.Scenario("number-acquire", runs).Figures.Single(f => f.Name == "CPU per acquisition NumberPool");

        Assert.Equal([1, 3], cpu.Values.Select(v => v.Run));
        Assert.Equal((0.4, 0.5, 0.6), (cpu.Min, cpu.Median, cpu.Max));
    }

    [Fact]
    public void A_run_that_did_not_finish_fails_and_adds_no_values()
    {
        var report = ReportAggregation.Scenario("number-acquire", [Run(1, 1_200), new ScenarioRun("number-acquire", 2, null), Run(3, 1_000)]);

        Assert.Equal(2, report.Passed);
        Assert.Equal((false, false, "did not run to the end"), (report.Runs[1].Completed, report.Runs[1].Passed, report.Runs[1].Summary));
        Assert.Equal(1_100, Assert.Single(report.Figures).Median);
    }

    [Fact]
    public void Scenarios_and_figures_keep_the_order_they_were_run_and_measured_in()
    {
        var runs = new[]
        {
            new ScenarioRun("vad", 1, Result("vad", new Figure("b", 1, "x"), new Figure("a", 1, "x"))),
            new ScenarioRun("placement-cps", 1, Result("placement-cps", new Figure("z", 1, "x"))),
            new ScenarioRun("vad", 2, Result("vad", new Figure("b", 1, "x"), new Figure("c", 1, "x"), new Figure("a", 1, "x"))),
        };

        var report = ReportAggregation.Aggregate(Machine, 2, runs);

        Assert.Equal(["vad", "placement-cps"], report.Scenarios.Select(s => s.Name));
        Assert.Equal(["b", "a", "c"], report.Scenarios[0].Figures.Select(f => f.Name));
    }

    internal static MachineFacts Machine { get; } = new()
    {
        Cores = 2,
        MemoryBytes = 8L * 1024 * 1024 * 1024,
        CpuModel = "Test CPU",
        Runtime = ".NET 10.0.0",
        LoadAverageAtStart = "0.10 0.20 0.30",
        StartedAt = new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero),
    };

    internal static ScenarioRun Run(int run, double acquisitions) =>
        Run(run, new Figure("acquisitions", acquisitions, "/s") { Target = AtLeastThousand });

    internal static ScenarioRun Run(int run, params Figure[] figures) =>
        new("scenario", run, Result("scenario", figures));

    internal static ScenarioResult Result(string name, params Figure[] figures) => new(name, true, "summary") { Figures = figures };
}
