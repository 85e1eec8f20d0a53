using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using VoiceMesh.Testing;
using YamlDotNet.RepresentationModel;
using static VoiceMesh.Architecture.Tests.YamlFiles;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// docker-compose.yml's observability stack: the OpenTelemetry Collector, Jaeger, Prometheus (with the alert rules) and
/// Grafana (with the dashboard) read the config files in deploy/ that compose mounts, agree on every host and port, and
/// chart and alert only on metrics the services emit.
/// </summary>
public sealed partial class ObservabilityDeploymentSpecs
{
    private static readonly YamlMappingNode Compose = Load("docker-compose.yml");
    private static readonly YamlMappingNode Collector = Load("deploy/otel/collector.yaml");
    private static readonly YamlMappingNode Prometheus = Load("deploy/prometheus/prometheus.yml");
    private static readonly YamlMappingNode Alerts = Load("deploy/prometheus/alerts.yml");
    private static readonly string[] PipelineSections = ["receivers", "processors", "exporters"];
    private static readonly string[] Severities = ["warning", "critical"];
    private static readonly string[] CodeFolders = ["services", "gateway"];

    [Fact]
    public void Every_file_compose_mounts_exists_and_each_tool_reads_its_config_where_it_is_mounted()
    {
        var missing = Services().SelectMany(s => Mounts(s.Value).Select(m => (Service: s.Key, m.Host)))
            .Where(m => !File.Exists(RepositoryPaths.Script(m.Host)) && !Directory.Exists(RepositoryPaths.Script(m.Host)))
            .Select(m => $"{m.Service} mounts {m.Host}, which does not exist");
        Assert.Empty(missing);

        Assert.Equal("./deploy/otel/collector.yaml", HostPathOf("otel-collector", Option(Service("otel-collector"), "--config")));
        Assert.Equal("./deploy/prometheus/prometheus.yml", HostPathOf("prometheus", Option(Service("prometheus"), "--config.file")));
        Assert.All(Strings(Prometheus, "rule_files"), rules => Assert.Equal("./deploy/prometheus/alerts.yml", HostPathOf("prometheus", rules)));
        Assert.Equal("./deploy/grafana/provisioning", HostPathOf("grafana", "/etc/grafana/provisioning"));
        var provider = (YamlMappingNode)Sequence(Load("deploy/grafana/provisioning/dashboards/voicemesh.yml"), "providers").Children.Single();
        Assert.Equal("./deploy/grafana/dashboards", HostPathOf("grafana", Scalar(Child(provider, "options"), "path")!));
        Assert.Contains("rabbitmq_prometheus", File.ReadAllText(RepositoryPaths.Script(HostPathOf("rabbitmq", "/etc/rabbitmq/enabled_plugins"))), StringComparison.Ordinal);
    }

    [Fact]
    public void Services_send_to_the_collector_which_sends_traces_to_jaeger_and_serves_the_metrics_prometheus_scrapes()
    {
        var services = Services();
        var otlp = new Uri(Scalar(Child(Compose, "x-service-environment"), "OTEL_EXPORTER_OTLP_ENDPOINT")!);
        var receivers = Child(Collector, "receivers");
        Assert.Equal(("otel-collector", PortOf(Scalar(Child(Child(Child(receivers, "otlp"), "protocols"), "grpc"), "endpoint")!)), (otlp.Host, $"{otlp.Port}"));
        Assert.Equal("grpc", Scalar(Child(Compose, "x-service-environment"), "OTEL_EXPORTER_OTLP_PROTOCOL"));
        Assert.Contains($"{otlp.Port}:{otlp.Port}", Ports(services["otel-collector"]));

        var exporters = Child(Collector, "exporters");
        var jaeger = Scalar(Child(exporters, "otlp/jaeger"), "endpoint")!.Split(':');
        Assert.True(services.ContainsKey(jaeger[0]), $"the collector exports traces to {jaeger[0]}, not a compose service");
        Assert.Equal(("4317", "true"), (jaeger[1], Scalar(Child(services[jaeger[0]], "environment"), "COLLECTOR_OTLP_ENABLED")));

        var pipelines = Child(Child(Collector, "service"), "pipelines")!;
        Assert.Equal(["metrics", "traces"], pipelines.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order());
        foreach (var (kind, pipeline) in pipelines.Children.Select(p => (((YamlScalarNode)p.Key).Value!, (YamlMappingNode)p.Value)))
        {
            foreach (var section in PipelineSections)
            {
                Assert.All(Strings(pipeline, section), name => Assert.True(
                    Child(Collector, section)!.Children.ContainsKey(new YamlScalarNode(name)), $"pipeline {kind} names {section} '{name}', which is not defined"));
            }
        }

        Assert.Equal(["otlp/jaeger"], Strings((YamlMappingNode)pipelines.Children[new YamlScalarNode("traces")], "exporters"));
        var metricsPort = PortOf(Scalar(Child(exporters, "prometheus"), "endpoint")!);
        Assert.Equal(
            [$"otel-collector:{metricsPort}", "rabbitmq:15692"],
            Sequence(Prometheus, "scrape_configs").Children.Cast<YamlMappingNode>()
                .SelectMany(job => Strings((YamlMappingNode)Sequence(job, "static_configs").Children.Single(), "targets")).Order());
        Assert.Contains("15692:15692", Ports(services["rabbitmq"]));

        var datasource = (YamlMappingNode)Sequence(Load("deploy/grafana/provisioning/datasources/prometheus.yml"), "datasources").Children.Single();
        var url = new Uri(Scalar(datasource, "url")!);
        Assert.Equal(("prometheus", 9090), (url.Host, url.Port));
        Assert.Contains("9090:9090", Ports(services["prometheus"]));
        using var dashboard = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Script("deploy/grafana/dashboards/voicemesh.json")));
        Assert.All(Targets(dashboard), t => Assert.Equal(Scalar(datasource, "uid"), t.GetProperty("datasource").GetProperty("uid").GetString()));
    }

    [Fact]
    public void The_alert_rules_and_the_dashboard_use_only_metrics_the_services_emit()
    {
        var emitted = EmittedPrometheusNames();
        using var dashboard = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Script("deploy/grafana/dashboards/voicemesh.json")));
        var expressions = Rules().Select(r => (Where: Scalar(r, "alert")!, Expr: Scalar(r, "expr")!))
            .Concat(Targets(dashboard).Select(t => (Where: "dashboard", Expr: t.GetProperty("expr").GetString()!)))
            .ToList();

        var unknown = expressions
            .SelectMany(e => MetricName().Matches(LabelLists().Replace(e.Expr, "")).Select(m => (e.Where, Name: m.Value)))
            .Where(m => !(m.Name.StartsWith("rabbitmq_", StringComparison.Ordinal) || emitted.Contains(m.Name)
                || emitted.Contains(HistogramSeries().Replace(m.Name, ""))))
            .Select(m => $"{m.Where}: {m.Name}")
            .ToList();

        Assert.Contains("voicemesh_gateway_webhooks_rejected_total", emitted);
        Assert.Contains("voicemesh_mediastreams_frame_latency_milliseconds", emitted);
        Assert.True(unknown.Count == 0, $"not emitted: {string.Join(", ", unknown)}; emitted: {string.Join(", ", emitted)}");
        Assert.All(expressions, e => Assert.Matches(MetricName(), e.Expr));
    }

    [Fact]
    public void Every_alert_says_how_bad_and_what_it_means_and_waits_before_firing()
    {
        var rules = Rules().ToList();

        Assert.NotEmpty(rules);
        Assert.All(rules, r =>
        {
            Assert.Matches("^VoiceMesh[A-Za-z]+$", Scalar(r, "alert"));
            Assert.Matches("^[0-9]+m$", Scalar(r, "for"));
            Assert.Contains(Scalar(Child(r, "labels"), "severity"), Severities);
            Assert.False(string.IsNullOrWhiteSpace(Scalar(Child(r, "annotations"), "summary")));
        });
        Assert.Equal(rules.Count, rules.Select(r => Scalar(r, "alert")).Distinct().Count());
    }

    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var promtool = FindPromtool();
        var start = new ProcessStartInfo(promtool, ["check", "rules", RepositoryPaths.Script("deploy/prometheus/alerts.yml")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"promtool check rules failed:\n{await output}\n{await errors}");
        Assert.Contains($"SUCCESS: {Rules().Count()} rules found", await output, StringComparison.Ordinal);
    }

    /// <summary>promtool on PATH, or the one deploy/local/install.sh unpacks; missing, the test fails saying how to get it.</summary>
    private static string FindPromtool()
    {
        var unpacked = RepositoryPaths.Script("deploy/local/.tools/usr/bin/promtool");
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "promtool")).FirstOrDefault(File.Exists);
        return onPath ?? (File.Exists(unpacked)
            ? unpacked
            : throw new FileNotFoundException("promtool not found: run deploy/local/install.sh (it unpacks promtool into deploy/local/.tools) or apt-get install prometheus."));
    }

    /// <summary>
    /// The Prometheus names of the instruments the services and the gateway create (their sources), as the collector's
    /// Prometheus exporter writes them: dots become underscores, the unit a suffix (curly-brace units none), counters
    /// end in <c>_total</c>.
    /// </summary>
    private static HashSet<string> EmittedPrometheusNames()
    {
        var sources = CodeFolders
            .SelectMany(dir => Directory.EnumerateFiles(RepositoryPaths.Script(dir), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match instrument in sources.SelectMany(path => Instrument().Matches(File.ReadAllText(path))))
        {
            var unit = instrument.Groups["unit"].Value switch
            {
                "ms" => "_milliseconds",
                "s" => "_seconds",
                "By" => "_bytes",
                "1" => "_ratio",
                var other when other.StartsWith('{') => "",
                var other => throw new InvalidDataException($"No Prometheus suffix known for unit '{other}'"),
            };
            var counter = instrument.Groups["kind"].Value is "Counter" or "ObservableCounter" ? "_total" : "";
            names.Add(instrument.Groups["name"].Value.Replace('.', '_') + unit + counter);
        }

        return names;
    }

    private static IEnumerable<YamlMappingNode> Rules() =>
        Sequence(Alerts, "groups").Children.Cast<YamlMappingNode>().SelectMany(g => Sequence(g, "rules").Children.Cast<YamlMappingNode>());

    private static IEnumerable<JsonElement> Targets(JsonDocument dashboard) =>
        dashboard.RootElement.GetProperty("panels").EnumerateArray().SelectMany(p => p.GetProperty("targets").EnumerateArray());

    private static Dictionary<string, YamlMappingNode> Services() =>
        Child(Compose, "services")!.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => (YamlMappingNode)e.Value);

    private static YamlMappingNode Service(string name) => Services()[name];

    /// <summary>Compose's short volume syntax: <c>./host/path:/container/path[:ro]</c>.</summary>
    private static IEnumerable<(string Host, string Container)> Mounts(YamlMappingNode service) =>
        Strings(service, "volumes").Select(v => v.Split(':')).Select(parts => (parts[0], parts[1]));

    /// <summary>The host path compose mounts at <paramref name="containerPath"/> in <paramref name="service"/>.</summary>
    private static string HostPathOf(string service, string containerPath) =>
        Mounts(Service(service)).Where(m => m.Container == containerPath).Select(m => m.Host).SingleOrDefault()
            ?? throw new InvalidDataException($"{service} mounts nothing at {containerPath}");

    /// <summary>The value of a <c>--flag=value</c> in a service's command.</summary>
    private static string Option(YamlMappingNode service, string flag) =>
        Strings(service, "command").Single(a => a.StartsWith(flag + "=", StringComparison.Ordinal))[(flag.Length + 1)..];

    private static IEnumerable<string> Ports(YamlMappingNode service) => Strings(service, "ports");

    private static string PortOf(string endpoint) => endpoint[(endpoint.LastIndexOf(':') + 1)..];

    [GeneratedRegex("""Create(?<kind>Counter|Histogram|UpDownCounter|Gauge|ObservableCounter|ObservableGauge|ObservableUpDownCounter)(?:<\w+>)?\(\s*"(?<name>[a-z0-9_.]+)"\s*,\s*(?:[^,"]+,\s*)?"(?<unit>[^"]+)""")]
    private static partial Regex Instrument();

    [GeneratedRegex(@"\b(?:voicemesh|rabbitmq)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    /// <summary>Where PromQL names labels, not metrics: <c>by (...)</c>, <c>without (...)</c> and selectors <c>{...}</c>.</summary>
    [GeneratedRegex(@"\b(?:by|without)\s*\([^)]*\)|\{[^}]*\}")]
    private static partial Regex LabelLists();

    [GeneratedRegex("_(?:bucket|sum|count)$")]
    private static partial Regex HistogramSeries();
}
