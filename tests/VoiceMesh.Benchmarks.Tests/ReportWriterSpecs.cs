using System.Text.Json;

namespace VoiceMesh.Benchmarks.Tests;

public sealed class ReportWriterSpecs
{
    private static BenchmarkReport Report()
    {
        var runs = new[] { (130.0, 10.0), (90.0, 8.0), (250.0, 12.0) }
            .Select((p, i) => new ScenarioRun("conference-commands", i + 1, ReportAggregationSpecs.Result(
                "conference-commands",
                new Figure("command p99", p.Item1, "ms") { Target = new FigureTarget(TargetKind.AtMost, 100), Baseline = "baseline p99" },
                new Figure("baseline p99", p.Item2, "ms")) with { Bounds = p.Item1 > 100 ? [$"command p99 {p.Item1} ms: CPU-bound"] : [] })
            {
                Evidence = [$"counters/conference-commands-{i + 1}-Conferences.csv"],
            })
            .ToList();
        return ReportAggregation.Aggregate(ReportAggregationSpecs.Machine with { EndedAt = new DateTimeOffset(2026, 12, 1, 6, 10, 0, TimeSpan.Zero) }, 3, runs);
    }

    [Fact]
    public void The_json_report_has_stable_camel_case_fields()
    {
        using var json = JsonDocument.Parse(ReportWriter.Json(Report()));
        var root = json.RootElement;

        Assert.Equal(["machine", "runsPerScenario", "scenarios"], Names(root));
        Assert.Equal(
            ["cores", "memoryBytes", "cpuModel", "kernel", "operatingSystem", "runtime", "postgreSql", "rabbitMq", "commit", "modified",
                "loadAverageAtStart", "loadAverageAtEnd", "startedAt", "endedAt"],
            Names(root.GetProperty("machine")));
        var scenario = root.GetProperty("scenarios")[0];
        Assert.Equal(["name", "runs", "figures", "passed"], Names(scenario));
        Assert.Equal(["run", "completed", "passed", "summary", "figures", "evidence", "bounds"], Names(scenario.GetProperty("runs")[0]));
        Assert.Equal(["name", "value", "unit"], Names(scenario.GetProperty("runs")[0].GetProperty("figures")[0]));
        var figure = scenario.GetProperty("figures")[0];
        Assert.Equal(
            ["name", "unit", "values", "min", "median", "max", "target", "met", "targetRatio", "baseline", "baselineMedian", "baselineRatio"],
            Names(figure));
        Assert.Equal(["run", "value"], Names(figure.GetProperty("values")[0]));
        Assert.Equal("atMost", figure.GetProperty("target").GetProperty("kind").GetString());
        Assert.Equal(100, figure.GetProperty("target").GetProperty("value").GetDouble());
        Assert.Equal(
            (130.0, false, 1.3),
            (figure.GetProperty("median").GetDouble(), figure.GetProperty("met").GetBoolean(), figure.GetProperty("targetRatio").GetDouble()));
        Assert.Equal(JsonValueKind.Null, scenario.GetProperty("figures")[1].GetProperty("target").ValueKind);
    }

    [Fact]
    public void The_json_report_round_trips_its_figures()
    {
        var report = Report();

        var read = JsonSerializer.Deserialize<JsonElement>(ReportWriter.Json(report));

        Assert.Equal(
            report.Scenarios[0].Figures.Select(f => (f.Name, f.Median)),
            read.GetProperty("scenarios")[0].GetProperty("figures").EnumerateArray().Select(f => (f.GetProperty("name").GetString()!, f.GetProperty("median").GetDouble())));
    }

    [Fact]
    public void The_markdown_report_summarises_every_figure_and_lists_each_run()
    {
        var markdown = ReportWriter.Markdown(Report());

        Assert.Contains("| CPU | Test CPU, 2 cores |", markdown, StringComparison.Ordinal);
        Assert.Contains("| memory | 8.0 GiB |", markdown, StringComparison.Ordinal);
        Assert.Contains(
            "| conference-commands | 3/3 | command p99 | 90.0 | **130** | 250 | ms | <= 100 | **no** (1.3× the target) | 13.0× baseline p99 (10.0) |",
            markdown, StringComparison.Ordinal);
        Assert.Contains("- run 2: **PASS** (summary); counters: [conference-commands-2-Conferences.csv](counters/conference-commands-2-Conferences.csv)", markdown, StringComparison.Ordinal);
        Assert.Contains("| command p99 | ms | 130 | 90.0 | 250 |", markdown, StringComparison.Ordinal);
        Assert.Contains("- run 3: **PASS** (summary); counters: [conference-commands-3-Conferences.csv](counters/conference-commands-3-Conferences.csv)\n"
            + "  - missed, and its measured bound: command p99 250 ms: CPU-bound", markdown.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("command p99 90 ms", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writing_creates_the_folder_with_both_files()
    {
        var folder = Path.Combine(Path.GetTempPath(), "voicemesh-report-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (markdown, json) = await ReportWriter.Write(Report(), folder);

            Assert.Equal(Path.Combine(folder, "report.md"), markdown);
            var cancellationToken = TestContext.Current.CancellationToken;
            Assert.StartsWith("# VoiceMesh benchmark report", await File.ReadAllTextAsync(markdown, cancellationToken), StringComparison.Ordinal);
            using var read = JsonDocument.Parse(await File.ReadAllTextAsync(json, cancellationToken));
            Assert.Equal(3, read.RootElement.GetProperty("runsPerScenario").GetInt32());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
