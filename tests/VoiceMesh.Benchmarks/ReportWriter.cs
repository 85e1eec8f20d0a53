using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// Writes a <see cref="BenchmarkReport"/> as <c>report.json</c> (camelCase, the report's records as they are) and
/// <c>report.md</c>: the machine, a summary table of every figure (min, median, max, target, met), then per scenario
/// each run's summary line and the values of each run.
/// </summary>
internal static class ReportWriter
{
    public const string MarkdownFile = "report.md";
    public const string JsonFile = "report.json";

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A file, not HTML: '+' stays as it is (PostgreSQL's "15.18-0+deb12u1"), not \u002B.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes both files into <paramref name="directory"/> (created if missing); returns their paths.</summary>
    public static async Task<(string Markdown, string Json)> Write(BenchmarkReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, MarkdownFile);
        var json = Path.Combine(directory, JsonFile);
        await File.WriteAllTextAsync(json, Json(report));
        await File.WriteAllTextAsync(markdown, Markdown(report));
        return (markdown, json);
    }

    public static string Json(BenchmarkReport report) => JsonSerializer.Serialize(report, JsonOptions) + "\n";

    public static string Markdown(BenchmarkReport report)
    {
        var machine = report.Machine;
        var md = new StringBuilder();
        md.AppendLine("# VoiceMesh benchmark report").AppendLine();
        md.AppendLine($"{Time(machine.StartedAt)} to {(machine.EndedAt is { } ended ? Time(ended) : "n/a")}, "
            + $"{report.RunsPerScenario} run{(report.RunsPerScenario == 1 ? "" : "s")} per scenario on the same PostgreSQL and RabbitMQ; "
            + "each figure is the min / median / max over the runs, and the target is judged on the median.").AppendLine();
        md.AppendLine("| machine | |").AppendLine("|---|---|");
        Fact(md, "CPU", $"{machine.CpuModel ?? "n/a"}, {machine.Cores} cores");
        Fact(md, "memory", machine.MemoryBytes is { } bytes ? $"{bytes / (1024.0 * 1024 * 1024):F1} GiB" : null);
        Fact(md, "OS", machine.OperatingSystem);
        Fact(md, "kernel", machine.Kernel);
        Fact(md, ".NET", machine.Runtime);
        Fact(md, "PostgreSQL", machine.PostgreSql);
        Fact(md, "RabbitMQ", machine.RabbitMq);
        Fact(md, "commit", machine.Commit is null ? null : $"`{machine.Commit}`{(machine.Modified == true ? " with uncommitted changes" : "")}");
        Fact(md, "load average (1, 5, 15 min)", $"{machine.LoadAverageAtStart} at the start, {machine.LoadAverageAtEnd ?? "n/a"} at the end");
        md.AppendLine();

        md.AppendLine("## Summary").AppendLine();
        md.AppendLine("| scenario | runs passed | figure | min | median | max | unit | target | met | vs baseline |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var scenario in report.Scenarios)
        {
            var passed = $"{scenario.Passed}/{scenario.Runs.Count}";
            if (scenario.Figures.Count == 0)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {scenario.Name} | {passed} | (no figures) | | | | | | | |");
            }

            foreach (var figure in scenario.Figures)
            {
                var partial = figure.Values.Count < scenario.Runs.Count ? $" ({figure.Values.Count} of {scenario.Runs.Count} runs)" : "";
                md.AppendLine($"| {scenario.Name} | {passed} | {figure.Name}{partial} | {Number(figure.Min)} | "
                    + $"**{Number(figure.Median)}** | {Number(figure.Max)} | {figure.Unit} | {figure.Target?.ToString() ?? ""} | {Met(figure)} | {Baseline(figure)} |");
            }
        }

        foreach (var scenario in report.Scenarios)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {scenario.Name}").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{scenario.Passed} of {scenario.Runs.Count} runs passed.").AppendLine();
            foreach (var run in scenario.Runs)
            {
                md.AppendLine($"- run {run.Run}: **{(run.Passed ? "PASS" : "FAIL")}** ({run.Summary})"
                    + (run.Evidence.Count > 0 ? $"; counters: {string.Join(", ", run.Evidence.Select(e => $"[{Path.GetFileName(e)}]({e.Replace('\\', '/')})"))}" : ""));
                foreach (var bound in run.Bounds)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"  - missed, and its measured bound: {bound}");
                }
            }

            if (scenario.Figures.Count == 0)
            {
                continue;
            }

            md.AppendLine();
            md.AppendLine($"| figure | unit | {string.Join(" | ", scenario.Runs.Select(r => $"run {r.Run}"))} |");
            md.AppendLine($"|---|---|{string.Concat(scenario.Runs.Select(_ => "---|"))}");
            foreach (var figure in scenario.Figures)
            {
                var values = scenario.Runs.Select(r => figure.Values.FirstOrDefault(v => v.Run == r.Run) is { } value ? Number(value.Value) : "–");
                md.AppendLine($"| {figure.Name} | {figure.Unit} | {string.Join(" | ", values)} |");
            }
        }

        return md.ToString();
    }

    /// <summary>Met or not, and the median's ratio to the target when it misses it.</summary>
    private static string Met(FigureReport figure) => figure.Met switch
    {
        true => "yes",
        false when figure.TargetRatio is { } ratio => $"**no** ({Number(ratio)}× the target)",
        false => "**no**",
        null => "",
    };

    private static string Baseline(FigureReport figure) =>
        figure.BaselineRatio is { } ratio ? $"{Number(ratio)}× {figure.Baseline} ({Number(figure.BaselineMedian ?? 0)})" : "";

    private static void Fact(StringBuilder md, string name, string? value) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {value ?? "n/a"} |");

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Three significant digits or so: 1234, 56.7, 0.162.</summary>
    public static string Number(double value) => Math.Abs(value) switch
    {
        >= 100 => value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("F1", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
