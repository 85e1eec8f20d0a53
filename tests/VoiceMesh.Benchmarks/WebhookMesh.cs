using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using RabbitMQ.Client.Exceptions;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// The gateway and Calls as the webhook scenarios measure them: started by <see cref="Mesh.Start"/> on a fresh virtual
/// host and Marten schema, reconciliation at its production interval (30 s; the test fixtures' 1 s would add a query
/// a second), logging as deployed. It records each process's resident memory once started and before any load (idle),
/// samples it every 100 ms until disposed (peak), meters the CPU of the gateway, Calls, PostgreSQL and the benchmark,
/// reads Calls' event store (<see cref="CallsLedger"/>), and warms the path up on calls of its own.
/// </summary>
internal sealed class WebhookMesh : IAsyncDisposable
{
    public const int WarmupCalls = 100;
    public const int WarmupConcurrency = 64;

    private const double Megabyte = 1024 * 1024;
    private const double IdleRssLimitMb = 150;
    private const double GatewayPeakRssLimitMb = 250;

    /// <summary>How long Calls may show no progress before a wait for it gives up.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest wait for Calls between two ingress phases: at the ~500 webhooks/s Calls applied one at a time, a
    /// default burst takes ~20 s; with three such waits the scenario stays well inside its timeout on a loaded machine.
    /// </summary>
    private static readonly TimeSpan BetweenPhasesLimit = TimeSpan.FromSeconds(45);

    private readonly ResidentMemory _gatewayRss;
    private readonly ResidentMemory _callsRss;
    private readonly long _gatewayIdle;
    private readonly long _callsIdle;
    private bool _sampling = true;

    private WebhookMesh(Mesh mesh, CallsLedger ledger, CpuMeter? meter, int gatewayPid, int callsPid)
    {
        Mesh = mesh;
        Ledger = ledger;
        Meter = meter;
        _gatewayIdle = ResidentMemory.Read(gatewayPid, "VmRSS") ?? 0;
        _callsIdle = ResidentMemory.Read(callsPid, "VmRSS") ?? 0;
        _gatewayRss = ResidentMemory.Sample(gatewayPid);
        _callsRss = ResidentMemory.Sample(callsPid);
    }

    public Mesh Mesh { get; }

    public CallsLedger Ledger { get; }

    public CpuMeter? Meter { get; }

    /// <summary>
    /// Starts the mesh, runs <paramref name="measure"/> on it and judges its figures with the memory figures appended;
    /// a failure to start or to measure fails the scenario with its message.
    /// </summary>
    public static async Task<ScenarioResult> Run(
        string name, TestInfrastructure infrastructure, Func<WebhookMesh, Task<(IReadOnlyList<Figure> Figures, string Summary, IReadOnlyList<string> Bounds)>> measure,
        CancellationToken cancellationToken)
    {
        var starting = Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(),
            infrastructure.PostgresConnectionString,
            callsSettings: new Dictionary<string, string> { ["Calls__Reconciliation__Interval"] = "00:00:30" },
            otherServices: Mesh.CallsAlone);
        Mesh? mesh = null;
        try
        {
            mesh = await starting.WaitAsync(cancellationToken);
            await using var measured = Of(mesh, infrastructure);
            Console.WriteLine($"  PostgreSQL               {(Environment.GetEnvironmentVariable("VOICEMESH_PG_FAST") == "1" ? "fsync off (VOICEMESH_PG_FAST=1)" : "durable: fsync and synchronous commit on")}");
            Console.WriteLine($"  idle RSS                 gateway {measured._gatewayIdle / Megabyte:F0} MB, Calls {measured._callsIdle / Megabyte:F0} MB");
            var (figures, summary, bounds) = await measure(measured);
            IReadOnlyList<Figure> all = [.. figures, .. await measured.MemoryFigures()];
            FigureConsole.Print(all);
            var passed = FigureConsole.AllMet(all);
            if (!passed)
            {
                PrintErrors(mesh);
            }

            Console.WriteLine($"  => {(passed ? "PASS" : "FAIL")}");
            foreach (var bound in bounds)
            {
                Console.WriteLine($"  bound                    {bound}");
            }

            return new ScenarioResult(name, passed, summary) { Figures = all, Bounds = bounds };
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or JsonException or NpgsqlException
            or BrokerUnreachableException or OperationInterruptedException)
        {
            Console.WriteLine($"  FAIL: {ex.Message}");
            if (mesh is not null)
            {
                PrintErrors(mesh);
            }

            return new ScenarioResult(name, false, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            await PlacementScenario.Settle(starting);
            if (starting.IsCompletedSuccessfully)
            {
                await starting.Result.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Collects the runtime's counters (<see cref="CounterCapture.RuntimeOnly"/>: the request-level ones would slow the
    /// gateway being measured) of the gateway and Calls for <paramref name="duration"/> into the run's report.
    /// </summary>
    public Task<CounterCapture> CaptureCounters(BenchmarkRun run, TimeSpan duration) =>
        CounterCapture.Start(run, [("gateway", Mesh.Gateway.ProcessId), ("Calls", Mesh.Calls[0].ProcessId)], duration, CounterCapture.RuntimeOnly);

    /// <summary>
    /// Posts <see cref="WarmupCalls"/> calls' callbacks (not counted) to the gateway and waits until Calls applied them
    /// all; then learns how the read model stores <c>completed</c> and checks the ledger sees every warm-up call's four
    /// reports and completed read model, so a store the ledger misreads fails here, before anything is measured.
    /// </summary>
    public async Task<StatusBurst> WarmUp(CancellationToken cancellationToken)
    {
        var warmup = StatusBurst.Build(WarmupCalls, seed: 1, TimeProvider.System.GetUtcNow());
        using (var poster = await WebhookPoster.Open(Mesh.Gateway.BaseAddress, WarmupConcurrency, cancellationToken))
        {
            var run = await poster.Closed(warmup.Webhooks, WarmupConcurrency, cancellationToken);
            Console.WriteLine($"  warm-up                  {warmup.Describe()}");
            Console.WriteLine($"  {"",-24} {"gateway",-14} {run.Line()}");
            if (run.Errors > 0)
            {
                throw new InvalidOperationException($"{run.Errors} warm-up webhooks were not answered 204.");
            }
        }

        if (await Ledger.WaitFor(warmup.CallSids, warmup.Webhooks.Count, completed: false, Patience, BetweenPhasesLimit, cancellationToken) is null)
        {
            throw new TimeoutException($"Calls did not apply the {warmup.Webhooks.Count} warm-up webhooks (or the ledger does not see them).");
        }

        await Ledger.LearnCompleted(Mesh, warmup.CallSids[0], cancellationToken);
        var applied = await Ledger.Applied(warmup.CallSids, cancellationToken);
        var completed = await Ledger.CompletedCount(warmup.CallSids, cancellationToken);
        if (completed != WarmupCalls || applied.Count(a => a.SequenceNumber is >= 0 and <= 3) != warmup.Webhooks.Count)
        {
            throw new InvalidOperationException(
                $"after the warm-up the ledger reads {completed}/{WarmupCalls} completed calls and {applied.Count} reports "
                + $"({applied.Count(a => a.SequenceNumber is null)} without a SequenceNumber) for {warmup.Webhooks.Count} webhooks.");
        }

        var (offset, roundTrip) = await Ledger.ClockOffset(cancellationToken);
        Console.WriteLine($"  {"",-24} Calls applied all {applied.Count}; PostgreSQL's clock - this machine's: {offset.TotalMilliseconds:F2} ms "
            + $"(round trip {roundTrip.TotalMilliseconds:F2} ms)");
        return warmup;
    }

    /// <summary>
    /// Waits until Calls applied the <paramref name="expected"/> reports of <paramref name="callSids"/>, so the next
    /// phase starts on an idle machine; goes on, saying so, after <see cref="BetweenPhasesLimit"/> or when Calls
    /// stops making progress.
    /// </summary>
    public async Task WaitForCalls(IReadOnlyCollection<string> callSids, long expected, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var done = await Ledger.WaitFor(callSids, expected, completed: false, Patience, BetweenPhasesLimit, cancellationToken);
        Console.WriteLine(done is null
            ? $"  {"",-24} (Calls had not applied the previous phase's {expected} reports after {clock.Elapsed.TotalSeconds:F0} s: "
                + $"{await Ledger.AppliedCount(callSids, cancellationToken)} were in; going on)"
            : $"  {"",-24} (waited {clock.Elapsed.TotalSeconds:F1} s for Calls to apply the previous phase's {expected} reports)");
    }

    /// <summary>
    /// The CPU each process spent per item between two snapshots, in milliseconds of one core, as figures
    /// <c>{prefix}.cpu.{process}</c>; "everything else" is the machine's busy time no measured process accounts for
    /// (the kernel's threads, the other users of the machine).
    /// </summary>
    public static IEnumerable<Figure> CpuFigures(string prefix, CpuSnapshot? from, CpuSnapshot? to, int items)
    {
        if (from is null || to is null || items == 0)
        {
            yield break;
        }

        var total = Math.Max(1, to.Total - from.Total);
        var coreMilliseconds = Stopwatch.GetElapsedTime(from.Taken, to.Taken).TotalMilliseconds * Environment.ProcessorCount;
        double PerItem(long ticks) => coreMilliseconds * ticks / total / items;
        var measured = 0L;
        foreach (var (process, ticks) in to.Processes)
        {
            var spent = ticks - from.Processes.GetValueOrDefault(process);
            measured += spent;
            yield return new Figure($"{prefix}.cpu.{process.ToLowerInvariant()}", PerItem(spent), "ms/webhook");
        }

        yield return new Figure($"{prefix}.cpu.everything-else", PerItem(Math.Max(0, to.Busy - from.Busy - measured)), "ms/webhook");

        // What the CPU allows: the busy share of the machine over the phase, and the rate its cores would sustain at the
        // CPU the phase spent per webhook in all processes; a rate near that bound is CPU-bound.
        var busyPerItem = PerItem(to.Busy - from.Busy);
        yield return new Figure($"{prefix}.cpu.machine-busy", 100.0 * (to.Busy - from.Busy) / total, "%");
        yield return new Figure($"{prefix}.cpu.bound", busyPerItem > 0 ? Environment.ProcessorCount * 1000 / busyPerItem : 0, "webhooks/s");
    }

    /// <summary>
    /// One line per figure of <paramref name="figures"/> that misses its target: the figure against its target, then
    /// what <paramref name="boundOf"/> measured to bound it.
    /// </summary>
    public static IReadOnlyList<string> Missed(IReadOnlyList<Figure> figures, Func<Figure, string> boundOf) =>
    [
        .. figures.Where(f => f.Target is { } target && !target.IsMetBy(f.Value))
            .Select(f => $"{f.Name} {f.Value:0.##} {f.Unit} (target {f.Target}): {boundOf(f)}"),
    ];

    /// <summary>
    /// The measured bound of a phase, from its <see cref="CpuFigures"/>: how busy the machine was, the CPU per webhook of
    /// each process and the rate the cores allow at that cost.
    /// </summary>
    public static string CpuBound(string prefix, IReadOnlyList<Figure> figures)
    {
        var cpu = figures.Where(f => f.Name.StartsWith($"{prefix}.cpu.", StringComparison.Ordinal)).ToDictionary(f => f.Name[(prefix.Length + 5)..], f => f.Value);
        if (!cpu.TryGetValue("machine-busy", out var busy) || !cpu.TryGetValue("bound", out var bound))
        {
            return "CPU not measured (no /proc)";
        }

        var processes = cpu.Where(c => c.Key is not ("machine-busy" or "bound")).OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:F2} ms");
        return $"CPU: the machine was {busy:F0}% busy; CPU per webhook {string.Join(", ", processes)}; at that cost {Environment.ProcessorCount} cores "
            + $"allow at most {bound:F0} webhooks/s";
    }

    public async ValueTask DisposeAsync()
    {
        await StopSampling();
        await Ledger.DisposeAsync();
    }

    private static WebhookMesh Of(Mesh mesh, TestInfrastructure infrastructure)
    {
        var gateway = mesh.Gateway.ProcessId ?? throw new InvalidOperationException("The gateway is not running.");
        var calls = mesh.Calls[0].ProcessId ?? throw new InvalidOperationException("Calls is not running.");
        var meter = CpuMeter.For(
            new Dictionary<string, Uri>(StringComparer.Ordinal) { ["gateway"] = mesh.Gateway.BaseAddress, ["Calls"] = mesh.Calls[0].BaseAddress },
            infrastructure.PostgresConnectionString);
        return new WebhookMesh(mesh, CallsLedger.Of(mesh), meter, gateway, calls);
    }

    /// <summary>Idle and peak RSS of the gateway and Calls; the peaks are final once the samplers stop.</summary>
    private async Task<IReadOnlyList<Figure>> MemoryFigures()
    {
        await StopSampling();
        return
        [
            new Figure("gateway.idle-rss", _gatewayIdle / Megabyte, "MB") { Target = new FigureTarget(TargetKind.AtMost, IdleRssLimitMb) },
            new Figure("calls.idle-rss", _callsIdle / Megabyte, "MB") { Target = new FigureTarget(TargetKind.AtMost, IdleRssLimitMb) },
            new Figure("gateway.peak-rss", _gatewayRss.Peak.Bytes / Megabyte, "MB") { Target = new FigureTarget(TargetKind.AtMost, GatewayPeakRssLimitMb) },
            new Figure("calls.peak-rss", _callsRss.Peak.Bytes / Megabyte, "MB"),
        ];
    }

    private async Task StopSampling()
    {
        if (_sampling)
        {
            _sampling = false;
            await _gatewayRss.DisposeAsync();
            await _callsRss.DisposeAsync();
        }
    }

    /// <summary>The last error lines of the gateway and Calls, for a failed run.</summary>
    private static void PrintErrors(Mesh mesh)
    {
        foreach (var (label, process) in (IEnumerable<(string, ServiceProcess)>)[("gateway", mesh.Gateway), ("Calls", mesh.Calls[0])])
        {
            var lines = process.OutputLines
                .Where(line => line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal))
                .TakeLast(3)
                .Select(line => line.Length > 500 ? line[..500] + "..." : line)
                .ToList();
            if (lines.Count > 0)
            {
                Console.WriteLine($"  {label} errors (last {lines.Count}):\n    {string.Join("\n    ", lines)}");
            }
        }
    }
}
