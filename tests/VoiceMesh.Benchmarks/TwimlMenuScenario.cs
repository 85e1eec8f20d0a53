using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// The time the gateway takes to answer Twilio's TwiML requests while <see cref="Concurrency"/> calls walk a menu,
/// beside its bare <c>/health/live</c> at the same concurrency and pacing in the same run: health, then TwiML
/// through the gateway, then a split phase (each caller's calls alternately through the gateway and straight to
/// Calls, so both see the same moments of the shared machine: where the time goes), then health again. Each
/// phase also reports the CPU the machine, the gateway, Calls, PostgreSQL and the benchmark used.
/// Passes when the TwiML p99 through the gateway is under 50 ms and no measured request failed.
/// </summary>
internal sealed class TwimlMenuScenario : IScenario
{
    public const string FlowId = "bench-menu";
    public const string Number = "+14155550199";

    /// <summary>The longest <see cref="Measured"/> allowed: every phase and the start-up stay well inside the timeout.</summary>
    public static readonly TimeSpan LongestMeasured = TimeSpan.FromSeconds(75);

    private const double P99LimitMs = 50;
    private const string GatewayRoute = "gateway";
    private const string CallsRoute = "Calls";
    private const int WarmupCalls = 20;
    private const int Seed = 20251014;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>Say, then a menu: 1 forwards, no input replays it once (the retry), then says goodbye.</summary>
    private const string Flow = """
        {
          "start": "welcome",
          "steps": {
            "welcome": { "type": "say", "text": "Thank you for calling the VoiceMesh benchmark.", "next": "menu" },
            "menu": {
              "type": "menu", "prompt": "For sales press 1.", "input": ["dtmf"], "numDigits": 1, "timeoutSeconds": 5,
              "options": [ { "digits": "1", "next": "sales" } ],
              "retries": 1, "invalidPrompt": "Sorry, I did not get that.", "noInput": "bye"
            },
            "sales": { "type": "forward", "to": "+14155550123", "callerId": "+15005550006", "timeoutSeconds": 20, "noAnswer": "bye" },
            "bye": { "type": "hangup", "say": "Goodbye." }
          }
        }
        """;

    public required string Name { get; init; }

    public required int Concurrency { get; init; }

    /// <summary>The mean time a caller listens between two requests.</summary>
    public required TimeSpan Think { get; init; }

    /// <summary>How long the first health phase and the TwiML phase through the gateway each run.</summary>
    public required TimeSpan Measured { get; init; }

    /// <summary>
    /// Full load before anything is measured: the first ~30 s against a fresh database (tables growing from empty, the
    /// first statistics and autovacuum runs, JIT tiering) showed one 10 s window with a p99 of ~300 ms in every run.
    /// It is printed, its failures count, and it is not judged: the acceptance is about the running system.
    /// </summary>
    private TimeSpan Settle => TimeSpan.FromSeconds(Math.Max(5, Measured.TotalSeconds / 2));

    /// <summary>How long the split phase runs.</summary>
    private TimeSpan Split => TimeSpan.FromSeconds(Math.Max(5, Measured.TotalSeconds / 2));

    /// <summary>How long the second health phase runs.</summary>
    private TimeSpan Short => TimeSpan.FromSeconds(Math.Max(5, Measured.TotalSeconds / 4));

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Concurrency} concurrent callers, think {Think.TotalMilliseconds:F0} ms ±20% (seed {Seed}), "
            + $"phases of {Measured.TotalSeconds:F0} s (health, TwiML via the gateway), {Split.TotalSeconds:F0} s (TwiML split between the gateway "
            + $"and Calls) and {Short.TotalSeconds:F0} s (health again), after {Settle.TotalSeconds:F0} s of TwiML load that is printed and not judged");
        var starting = StartMesh(infrastructure);
        Mesh? mesh = null;
        try
        {
            mesh = await starting.WaitAsync(cancellationToken);
            var version = await SaveFlow(mesh, cancellationToken);
            Console.WriteLine($"  flow                     {FlowId} version {version}, assigned to {Number}");
            Console.WriteLine($"  PostgreSQL               {(Environment.GetEnvironmentVariable("VOICEMESH_PG_FAST") == "1" ? "fsync off (VOICEMESH_PG_FAST=1)" : "durable: fsync and synchronous commit on")}");
            var meter = CpuMeter.For(
                new Dictionary<string, Uri>(StringComparer.Ordinal) { ["gateway"] = mesh.Gateway.BaseAddress, ["Calls"] = mesh.Calls[0].BaseAddress },
                infrastructure.PostgresConnectionString);

            using var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = Concurrency,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
                ConnectTimeout = TimeSpan.FromSeconds(5),
            };
            using var client = new HttpClient(handler) { Timeout = RequestTimeout };
            var gateway = new Target(GatewayRoute, mesh.Gateway.BaseAddress);
            var calls = new Target(CallsRoute, mesh.Calls[0].BaseAddress);
            await OpenConnections(client, gateway.BaseAddress, cancellationToken);
            await OpenConnections(client, calls.BaseAddress, cancellationToken);
            await Warmup(client, gateway, cancellationToken);

            var settle = await Phase(meter, "TwiML settling", Settle, client, (caller, _, open) => caller.WalkMenu(gateway, gateway.BaseAddress, open, cancellationToken), cancellationToken);
            var before = await Phase(meter, "health", Measured, client, (caller, _, _) => caller.Health(gateway, cancellationToken), cancellationToken);
            var twiml = await Phase(meter, "TwiML", Measured, client, (caller, _, open) => caller.WalkMenu(gateway, gateway.BaseAddress, open, cancellationToken), cancellationToken);
            var split = await Phase(meter, "TwiML split", Split, client,
                (caller, walk, open) => caller.WalkMenu(walk % 2 == 0 ? gateway : calls, gateway.BaseAddress, open, cancellationToken), cancellationToken);
            var after = await Phase(meter, "health again", Short, client, (caller, _, _) => caller.Health(gateway, cancellationToken), cancellationToken);
            if (settle.Apologies + twiml.Apologies + split.Apologies > 0)
            {
                PrintCallsErrors(mesh);
            }

            var memory = ResidentMemory.PeakFigures(("gateway", mesh.Gateway.ProcessId), ("Calls", mesh.Calls[0].ProcessId)).ToList();
            return Report([settle, before, twiml, split, after], twiml, before, after, split, memory);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or JsonException)
        {
            Console.WriteLine($"  error                    {ex.Message}");
            if (mesh is not null)
            {
                PrintCallsErrors(mesh);
            }

            return new ScenarioResult(Name, false, ex.GetType().Name);
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

    /// <summary>The mesh as deployed: reconciliation at its production interval (the test fixtures shorten it to 1 s).</summary>
    private static async Task<Mesh> StartMesh(TestInfrastructure infrastructure) =>
        await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(),
            infrastructure.PostgresConnectionString,
            callsSettings: new Dictionary<string, string> { ["Calls__Reconciliation__Interval"] = "00:00:30" });

    /// <summary>Saves the menu flow through the gateway's API and assigns the dialled number to it; returns its version.</summary>
    private static async Task<int> SaveFlow(Mesh mesh, CancellationToken cancellationToken)
    {
        using var body = new StringContent(Flow, Encoding.UTF8, "application/json");
        using var saved = await mesh.Client.PutAsync(new Uri($"/api/flows/{FlowId}", UriKind.Relative), body, cancellationToken);
        var answer = await saved.Content.ReadAsStringAsync(cancellationToken);
        if (saved.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
        {
            throw new InvalidOperationException($"PUT /api/flows/{FlowId} answered {(int)saved.StatusCode}: {answer}");
        }

        using var assigned = await mesh.Client.PutAsync(new Uri($"/api/flows/{FlowId}/numbers/{Uri.EscapeDataString(Number)}", UriKind.Relative), null, cancellationToken);
        if (assigned.StatusCode != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"PUT /api/flows/{FlowId}/numbers/{Number} answered {(int)assigned.StatusCode}: "
                + await assigned.Content.ReadAsStringAsync(cancellationToken));
        }

        return JsonSerializer.Deserialize<JsonElement>(answer).GetProperty("version").GetInt32();
    }

    /// <summary>As many health requests at once as there are callers, so the pool holds a connection for each.</summary>
    private async Task OpenConnections(HttpClient client, Uri server, CancellationToken cancellationToken)
    {
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            using var response = await client.GetAsync(new Uri(server, "/health/live"), cancellationToken);
            response.EnsureSuccessStatusCode();
        }));
        Console.WriteLine($"  connections              {Concurrency} requests at once to {server} (pool of up to {Concurrency})");
    }

    /// <summary>Walks the menu once for each of <see cref="WarmupCalls"/> calls at once, unmeasured; fails when any walk does.</summary>
    private static async Task Warmup(HttpClient client, Target gateway, CancellationToken cancellationToken)
    {
        var callers = Enumerable.Range(0, WarmupCalls)
            .Select(i => new VirtualCaller(client, new Random(Seed - 1 - i), TimeSpan.Zero, From(WarmupCalls + i), Number, Stopwatch.GetTimestamp()))
            .ToList();
        await Task.WhenAll(callers.Select(caller => caller.WalkMenu(gateway, gateway.BaseAddress, () => true, cancellationToken)));
        var warmup = new PhaseFigures("warm-up", TimeSpan.FromSeconds(1), [.. callers.SelectMany(c => c.Samples)]);
        Console.WriteLine($"  warm-up                  {WarmupCalls} calls walked, {warmup.Samples.Count} requests, {warmup.Failures} failed");
        if (warmup.Failures > 0)
        {
            throw new InvalidOperationException($"the warm-up walks failed: {string.Join("; ", warmup.FirstFailures(3))}");
        }
    }

    /// <summary>
    /// Runs <see cref="Concurrency"/> callers for <paramref name="duration"/>, each starting at a random point of one
    /// think time and repeating <paramref name="work"/> while the phase is open (given the caller's index plus the
    /// number of its walk, and whether the phase is still open); requests sent before the end are timed to their answer.
    /// Each caller's <see cref="Random"/> is seeded by its index, so every phase has the same pacing.
    /// </summary>
    private async Task<PhaseFigures> Phase(
        CpuMeter? meter,
        string label, TimeSpan duration, HttpClient client, Func<VirtualCaller, int, Func<bool>, Task> work, CancellationToken cancellationToken)
    {
        var cpu = meter?.Take();
        var clock = Stopwatch.StartNew();
        var origin = Stopwatch.GetTimestamp();
        var callers = Enumerable.Range(0, Concurrency)
            .Select(i => new VirtualCaller(client, new Random(Seed + i), Think, From(i), Number, origin))
            .ToList();
        bool Open() => clock.Elapsed < duration;
        await Task.WhenAll(callers.Select(async (caller, index) =>
        {
            await caller.Stagger(cancellationToken);
            for (var walk = index; Open(); walk++)
            {
                await work(caller, walk, Open);
            }
        }));
        var figures = new PhaseFigures(label, duration, [.. callers.SelectMany(c => c.Samples)]);
        Console.WriteLine($"  {label,-24} {Line(figures.Latency)}, {figures.PerSecond,6:F1}/s, {figures.Failures} failed "
            + $"({clock.Elapsed.TotalSeconds:F1} s, load average {Machine.LoadAverage()})");
        if (meter is not null && cpu is not null)
        {
            Console.WriteLine($"  {"",-24} cpu: {CpuMeter.Describe(cpu, meter.Take())}");
        }

        return figures;
    }

    private static string From(int caller) => $"+1415556{caller.ToString("D4", CultureInfo.InvariantCulture)}";

    private static string Line(Latency latency) =>
        $"n {latency.Count,6}  p50 {latency.P50,6:F1}  p95 {latency.P95,6:F1}  p99 {latency.P99,6:F1}  max {latency.Max,7:F1} ms";

    private static void PrintCallsErrors(Mesh mesh)
    {
        var lines = mesh.Calls[0].RecentOutput.Split('\n')
            .Where(line => line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal))
            .TakeLast(5)
            .Select(line => line.Length > 700 ? line[..700] + "..." : line);
        Console.WriteLine($"  Calls errors (last 5):\n{string.Join('\n', lines)}");
    }

    private ScenarioResult Report(
        IReadOnlyList<PhaseFigures> phases, PhaseFigures twiml, PhaseFigures before, PhaseFigures after, PhaseFigures split, IReadOnlyList<Figure> memory)
    {
        Console.WriteLine($"  by turn and route        (TwiML phase: all via the gateway; split phase: the same moments via the gateway and straight to Calls)");
        foreach (var turn in (Turn[])[Turn.Incoming, Turn.NoInput, Turn.Digit, Turn.DialEnded])
        {
            Console.WriteLine($"  {turn,-10} TwiML       {GatewayRoute,-7} {Line(twiml.Of(turn, GatewayRoute))}");
            Console.WriteLine($"  {turn,-10} split       {GatewayRoute,-7} {Line(split.Of(turn, GatewayRoute))}");
            Console.WriteLine($"  {turn,-10} split       {CallsRoute,-7} {Line(split.Of(turn, CallsRoute))}");
        }

        Console.WriteLine($"  TwiML p99 by {Window.TotalSeconds:F0} s        {string.Join(" ", twiml.P99s(Window).Select(p => p.ToString("F0", CultureInfo.InvariantCulture)))} ms");
        var viaGateway = split.Of(GatewayRoute);
        var direct = split.Of(CallsRoute);
        Console.WriteLine($"  all turns  split       {GatewayRoute,-7} {Line(viaGateway)}");
        Console.WriteLine($"  all turns  split       {CallsRoute,-7} {Line(direct)}");
        var ratio = twiml.Latency.P99 / before.Latency.P99;
        var failures = phases.Sum(p => p.Failures);
        Console.WriteLine($"  p99 TwiML / p99 health   {ratio:F2} ({twiml.Latency.P99:F1} / {before.Latency.P99:F1} ms; "
            + $"{twiml.Latency.P99 / after.Latency.P99:F2} against the health phase after)");
        Console.WriteLine($"  gateway's share (split)  p50 {viaGateway.P50 - direct.P50:+0.0;-0.0} ms, p99 {viaGateway.P99 - direct.P99:+0.0;-0.0} ms "
            + "(via the gateway less straight to Calls, at the same moments)");
        Console.WriteLine($"  failures                 {failures} ({phases.Sum(p => p.Apologies)} apologies)");
        foreach (var failure in phases.SelectMany(p => p.FirstFailures(3).Select(f => $"{p.Label}: {f}")).Take(6))
        {
            Console.WriteLine($"    {failure}");
        }

        var measuredAll = phases.All(p => p.Samples.Count > 0);
        var passed = measuredAll && twiml.Latency.P99 < P99LimitMs && failures == 0;
        Console.WriteLine($"  => {(passed ? "PASS" : "FAIL")} (TwiML p99 {twiml.Latency.P99:F1} ms, limit {P99LimitMs:F0} ms; {failures} failures)");
        var summary = $"TwiML p99 {twiml.Latency.P99:F1} ms (limit {P99LimitMs:F0}) vs health p99 {before.Latency.P99:F1} ms, ratio {ratio:F2}; "
            + $"split p99 {viaGateway.P99:F1} ms via the gateway, {direct.P99:F1} ms straight to Calls; "
            + $"{twiml.Samples.Count} TwiML requests at {twiml.PerSecond:F0}/s, {failures} failures";
        return new ScenarioResult(Name, passed, summary)
        {
            Figures =
            [
                new Figure("TwiML p99", twiml.Latency.P99, "ms") { Target = new FigureTarget(TargetKind.AtMost, P99LimitMs), Baseline = "health p99" },
                new Figure("TwiML p50", twiml.Latency.P50, "ms"),
                new Figure("health p99", before.Latency.P99, "ms"),
                new Figure("TwiML rate", twiml.PerSecond, "requests/s"),
                new Figure("split p99 via the gateway", viaGateway.P99, "ms") { Baseline = "split p99 straight to Calls" },
                new Figure("split p99 straight to Calls", direct.P99, "ms"),
                new Figure("failures", failures, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                .. memory,
            ],
        };
    }
}
