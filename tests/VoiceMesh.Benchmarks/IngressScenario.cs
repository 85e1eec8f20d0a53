using VoiceMesh.Benchmarks.Baselines;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// How many signed call status callbacks the gateway takes a second, and how fast it acknowledges them, beside what
/// HTTP alone and RabbitMQ alone do on this machine in the same run. At each concurrency of <see cref="Levels"/>, a
/// burst of <see cref="Calls"/> new calls' four callbacks each (<see cref="StatusBurst"/>, pre-signed, posted once
/// each) goes to three targets on as many kept-alive connections: the HTTP ceiling (a bare Kestrel that reads the form
/// and answers 204, <see cref="HttpCeiling"/>), the broker ceiling (raw RabbitMQ.Client publishing the same bodies
/// persistent and confirmed to a quorum queue, <see cref="BrokerCeiling"/>), then the gateway's
/// <c>/twilio/voice/status</c>, which validates the signature, publishes with publisher confirms and answers 204 once
/// confirmed. Then a paced phase: another burst on a fixed schedule of <see cref="PacedRate"/> a second (open loop,
/// each ack timed from its scheduled start) to the same three. Calls consumes what the gateway publishes, as deployed;
/// before each concurrency and the paced phase the benchmark waits until Calls applied the previous burst, so each
/// starts on an idle machine. Each phase reports webhooks/s, ack p50/p99/p99.9, errors (anything but a 204 or a
/// confirm) and the CPU each process spent per webhook, which shows what bounds the rate. The gateway's rate is set
/// beside the lower ceiling's, its p99 beside the slower ceiling's.
/// Passes when the gateway reaches <see cref="RateTarget"/> webhooks/s at some concurrency, at least half of the broker
/// ceiling at every concurrency, a p99 under 25 ms at <see cref="PacedRate"/>/s, no errors, and the memory targets.
/// </summary>
internal sealed class IngressScenario : IReportingScenario
{
    public const double PacedRate = 2000;

    private const double RateTarget = 5000;
    private const double BrokerRatioTarget = 0.5;
    private const double PacedP99LimitMs = 25;

    /// <summary>Connections of the paced phase's pool: enough that the schedule never waits for one.</summary>
    private const int PacedConnections = 256;

    private static readonly int[] Levels = [16, 64, 256];

    public required string Name { get; init; }

    /// <summary>Calls per burst; each phase posts four callbacks per call.</summary>
    public required int Calls { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, BenchmarkRun run, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Calls} calls x 4 status callbacks per phase, closed loop at {string.Join(", ", Levels)} connections "
            + $"and paced at {PacedRate:F0}/s, each to the HTTP ceiling, the broker ceiling and the gateway, after {WebhookMesh.WarmupCalls} warm-up calls");
        return await WebhookMesh.Run(Name, infrastructure, mesh => Measure(mesh, infrastructure, run, cancellationToken), cancellationToken);
    }

    private async Task<(IReadOnlyList<Figure>, string, IReadOnlyList<string>)> Measure(WebhookMesh mesh, TestInfrastructure infrastructure, BenchmarkRun run, CancellationToken cancellationToken)
    {
        var warmup = await mesh.WarmUp(cancellationToken);
        await using var http = await HttpCeiling.Start(cancellationToken);
        await using var broker = await BrokerCeiling.Open(await infrastructure.CreateVirtualHostAsync(), cancellationToken);
        using (var poster = await WebhookPoster.Open(http.BaseAddress, WebhookMesh.WarmupConcurrency, cancellationToken))
        {
            Console.WriteLine($"  {"",-24} {"HTTP ceiling",-14} {(await poster.Closed(warmup.Webhooks, WebhookMesh.WarmupConcurrency, cancellationToken)).Line()}");
        }

        Console.WriteLine($"  {"",-24} {"broker ceiling",-14} {(await broker.Publish(warmup.Webhooks, WebhookMesh.WarmupConcurrency, cancellationToken)).Line()}");

        var now = TimeProvider.System.GetUtcNow();
        var bursts = Levels.Select(level => StatusBurst.Build(Calls, seed: 1000 + level, now)).ToList();
        var paced = StatusBurst.Build(Calls, seed: 2000, now);
        Console.WriteLine($"  bursts                   {bursts[0].Describe()} each");

        var figures = new List<Figure>();
        var peak = (Rate: 0.0, Level: 0);
        IReadOnlyList<string> previous = warmup.CallSids;
        long previousAcked = warmup.Webhooks.Count;
        foreach (var (level, burst) in Levels.Zip(bursts))
        {
            await mesh.WaitForCalls(previous, previousAcked, cancellationToken);
            Console.WriteLine($"  {level} connections");

            // The runtime's counters of the gateway and Calls over the highest concurrency's phases go beside the report,
            // as the evidence of what bounds the gateway there; started before the ceilings' phases, so the tool's own
            // start-up is over when the gateway's phase begins.
            await using var counters = level == Levels[^1] ? await mesh.CaptureCounters(run, ExpectedSeconds(burst)) : null;
            var (httpRun, _, _) = await Posted(
                mesh, "HTTP ceiling", http.BaseAddress, level, poster => poster.Closed(burst.Webhooks, level, cancellationToken), cancellationToken);
            var (brokerRun, brokerFrom, brokerTo) = await Metered(mesh, "broker ceiling", () => broker.Publish(burst.Webhooks, level, cancellationToken));
            var (gateway, from, to) = await Posted(
                mesh, "gateway", mesh.Mesh.Gateway.BaseAddress, level, poster => poster.Closed(burst.Webhooks, level, cancellationToken), cancellationToken);
            figures.AddRange(LevelFigures(level, httpRun, brokerRun, gateway));
            figures.AddRange(WebhookMesh.CpuFigures($"gateway.c{level}", from, to, burst.Webhooks.Count));
            figures.AddRange(WebhookMesh.CpuFigures($"broker-ceiling.c{level}", brokerFrom, brokerTo, burst.Webhooks.Count));
            if (gateway.PerSecond > peak.Rate)
            {
                peak = (gateway.PerSecond, level);
            }

            previous = burst.CallSids;
            previousAcked = gateway.Acks.Count - gateway.Errors;
        }

        await mesh.WaitForCalls(previous, previousAcked, cancellationToken);
        Console.WriteLine($"  paced at {PacedRate:F0}/s ({paced.Webhooks.Count} webhooks; HTTP on {PacedConnections} connections at most)");
        var (httpPaced, _, _) = await Posted(
            mesh, "HTTP ceiling", http.BaseAddress, PacedConnections, poster => poster.Paced(paced.Webhooks, PacedRate, cancellationToken), cancellationToken);
        var (brokerPaced, _, _) = await Metered(mesh, "broker ceiling", () => broker.Paced(paced.Webhooks, PacedRate, cancellationToken));
        var (gatewayPaced, pacedFrom, pacedTo) = await Posted(
            mesh, "gateway", mesh.Mesh.Gateway.BaseAddress, PacedConnections, poster => poster.Paced(paced.Webhooks, PacedRate, cancellationToken), cancellationToken);

        figures.Add(new Figure("gateway.peak-rate", peak.Rate, "webhooks/s")
        {
            Target = new FigureTarget(TargetKind.AtLeast, RateTarget), Baseline = $"broker-ceiling.c{peak.Level}.rate",
        });
        figures.AddRange(PacedFigures(httpPaced, brokerPaced, gatewayPaced));
        figures.AddRange(WebhookMesh.CpuFigures("gateway.paced", pacedFrom, pacedTo, paced.Webhooks.Count));
        var brokerAtPeak = figures.Single(f => f.Name == $"broker-ceiling.c{peak.Level}.rate").Value;
        var summary = $"peak {peak.Rate:F0} webhooks/s at {peak.Level} connections ({peak.Rate / brokerAtPeak:F2} of the broker ceiling's {brokerAtPeak:F0}/s); "
            + $"at {PacedRate:F0}/s ack p99 {gatewayPaced.P99:F1} ms (HTTP ceiling {httpPaced.P99:F1} ms, broker confirm {brokerPaced.P99:F1} ms); "
            + $"{figures.Where(f => f.Name.EndsWith(".errors", StringComparison.Ordinal)).Sum(f => f.Value):F0} errors";
        return (figures, summary, WebhookMesh.Missed(figures, missed => Bound(missed, figures)));
    }

    /// <summary>
    /// What bounds a missed ingress target, from the same phase's CPU: the rate and the latency are bounded by the CPU the
    /// mesh spends per webhook on two shared cores; the ratio to the broker ceiling by the gateway's work per webhook
    /// (HTTP, the signature, the strict form reader, MassTransit's publish) against the raw client's per message.
    /// </summary>
    private static string Bound(Figure missed, IReadOnlyList<Figure> figures)
    {
        var phase = missed.Name == "gateway.peak-rate" ? missed.Baseline!.Split('.')[1] : missed.Name.Split('.')[1];
        var cpu = WebhookMesh.CpuBound($"gateway.{phase}", figures);
        if (!missed.Name.EndsWith(".broker-ratio", StringComparison.Ordinal))
        {
            return $"at {phase}, {cpu}";
        }

        var publisher = figures.FirstOrDefault(f => f.Name == $"broker-ceiling.{phase}.cpu.benchmark")?.Value ?? 0;
        var gateway = figures.FirstOrDefault(f => f.Name == $"gateway.{phase}.cpu.gateway")?.Value ?? 0;
        return $"the raw client spends {publisher:F3} ms of CPU per message publishing ready bytes, the gateway {gateway:F3} ms per webhook "
            + $"(HTTP, the signature, the strict form reader, MassTransit's publish and confirm): {(publisher > 0 ? gateway / publisher : 0):F1}x; "
            + $"during the gateway's phase, {cpu}";
    }

    /// <summary>How long a burst takes the gateway at about the target rate, plus the two ceilings' phases before it.</summary>
    private static TimeSpan ExpectedSeconds(StatusBurst burst) => TimeSpan.FromSeconds(Math.Ceiling(burst.Webhooks.Count / RateTarget) + 4);

    /// <summary>One concurrency's figures: both ceilings, the gateway's rate against the lower, its latencies and errors.</summary>
    private static IEnumerable<Figure> LevelFigures(int level, LoadRun http, LoadRun broker, LoadRun gateway)
    {
        var prefix = $"c{level}";
        var lowest = http.PerSecond <= broker.PerSecond ? $"http-ceiling.{prefix}.rate" : $"broker-ceiling.{prefix}.rate";
        return
        [
            new Figure($"http-ceiling.{prefix}.rate", http.PerSecond, "webhooks/s"),
            new Figure($"http-ceiling.{prefix}.ack-p99", http.P99, "ms"),
            new Figure($"broker-ceiling.{prefix}.rate", broker.PerSecond, "webhooks/s"),
            new Figure($"broker-ceiling.{prefix}.confirm-p99", broker.P99, "ms"),
            new Figure($"gateway.{prefix}.rate", gateway.PerSecond, "webhooks/s") { Baseline = lowest },
            new Figure($"gateway.{prefix}.broker-ratio", broker.PerSecond > 0 ? gateway.PerSecond / broker.PerSecond : 0, "x")
            {
                Target = new FigureTarget(TargetKind.AtLeast, BrokerRatioTarget),
            },
            new Figure($"gateway.{prefix}.ack-p50", gateway.P50, "ms"),
            new Figure($"gateway.{prefix}.ack-p99", gateway.P99, "ms") { Baseline = Slower(prefix, http, broker) },
            new Figure($"gateway.{prefix}.ack-p99.9", gateway.P999, "ms"),
            new Figure($"gateway.{prefix}.errors", gateway.Errors, "webhooks") { Target = new FigureTarget(TargetKind.AtMost, 0) },
            new Figure($"broker-ceiling.{prefix}.errors", broker.Errors, "messages"),
        ];
    }

    private static IEnumerable<Figure> PacedFigures(LoadRun http, LoadRun broker, LoadRun gateway) =>
    [
        new Figure("http-ceiling.paced.ack-p99", http.P99, "ms"),
        new Figure("broker-ceiling.paced.confirm-p99", broker.P99, "ms"),
        new Figure("gateway.paced.rate", gateway.PerSecond, "webhooks/s"),
        new Figure("gateway.paced.ack-p50", gateway.P50, "ms"),
        new Figure("gateway.paced.ack-p99", gateway.P99, "ms")
        {
            Target = new FigureTarget(TargetKind.AtMost, PacedP99LimitMs), Baseline = Slower("paced", http, broker),
        },
        new Figure("gateway.paced.ack-p99.9", gateway.P999, "ms"),
        new Figure("gateway.paced.errors", gateway.Errors, "webhooks") { Target = new FigureTarget(TargetKind.AtMost, 0) },
    ];

    /// <summary>The name of the ceiling p99 that bounds the gateway's: the slower of the HTTP ack and the broker confirm.</summary>
    private static string Slower(string phase, LoadRun http, LoadRun broker) =>
        http.P99 >= broker.P99 ? $"http-ceiling.{phase}.ack-p99" : $"broker-ceiling.{phase}.confirm-p99";

    /// <summary>Opens a pool of <paramref name="connections"/> connections to <paramref name="server"/>, then runs <paramref name="run"/> on it, metered.</summary>
    private static async Task<(LoadRun Run, CpuSnapshot? From, CpuSnapshot? To)> Posted(
        WebhookMesh mesh, string label, Uri server, int connections, Func<WebhookPoster, Task<LoadRun>> run, CancellationToken cancellationToken)
    {
        using var poster = await WebhookPoster.Open(server, connections, cancellationToken);
        return await Metered(mesh, label, () => run(poster));
    }

    /// <summary>Runs one phase between two CPU snapshots and prints its line and where the CPU went.</summary>
    private static async Task<(LoadRun Run, CpuSnapshot? From, CpuSnapshot? To)> Metered(WebhookMesh mesh, string label, Func<Task<LoadRun>> run)
    {
        var from = mesh.Meter?.Take();
        var result = await run();
        var to = mesh.Meter?.Take();
        Console.WriteLine($"    {label,-22} {result.Line()}");
        if (from is not null && to is not null)
        {
            Console.WriteLine($"    {"",-22} cpu: {CpuMeter.Describe(from, to)}");
            Console.WriteLine($"    {"",-22} cpu per webhook: {CpuMeter.PerItem(from, to, result.Acks.Count)}");
        }

        return (result, from, to);
    }
}
