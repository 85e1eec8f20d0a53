using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// Places a batch of calls through the gateway's API against a mesh whose Calls service is configured at
/// <see cref="ServiceCallsPerSecond"/> and a simulator that answers 429 beyond <see cref="SimulatorCallsPerSecond"/>,
/// and measures the rate of the creates the simulator accepted.
/// </summary>
internal sealed class PlacementScenario : IScenario
{
    /// <summary>How long disposal may take after the timeout before the process stops regardless.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromMinutes(2);

    private const int WarmupCalls = 3;
    private const double Tolerance = 0.05;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public required string Name { get; init; }

    public required double ServiceCallsPerSecond { get; init; }

    public required int SimulatorCallsPerSecond { get; init; }

    public required int Calls { get; init; }

    /// <summary>
    /// The service is configured above the simulator's limit: 429s are expected and retried, and the acceptance is
    /// that every call is placed exactly once. Otherwise no 429 is allowed and the rate must be within 5%.
    /// </summary>
    public required bool OverLimit { get; init; }

    /// <summary>Prints every Calls create of the batch: milliseconds since the first, status, number.</summary>
    public bool Timeline { get; init; }

    /// <summary>Waits, within <see cref="StopGrace"/>, for a start that was abandoned, so what it started is disposed.</summary>
    public static async Task Settle(Task starting)
    {
        await Task.WhenAny(starting, Task.Delay(StopGrace));
        if (starting.IsFaulted)
        {
            Console.WriteLine($"start-up failed: {starting.Exception.GetBaseException().Message}");
        }
    }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: Calls configured at {ServiceCallsPerSecond}/s, simulator limit {SimulatorCallsPerSecond}/s, "
            + $"{Calls} calls after {WarmupCalls} warm-up calls");
        var starting = StartMesh(infrastructure);
        Mesh? mesh = null;
        try
        {
            mesh = await starting.WaitAsync(cancellationToken);
            mesh.Simulator.Control.SetCallsPerSecond(SimulatorCallsPerSecond);
            var warmup = Enumerable.Range(0, WarmupCalls).Select(i => $"+1415558{i:D4}").ToList();
            var (warmupPlaced, _, warmupRequested) = await PlaceAndWait(mesh, warmup, TimeSpan.FromSeconds(30), cancellationToken);
            Console.WriteLine($"  warm-up                  {warmupPlaced}/{WarmupCalls} placed");

            var numbers = Enumerable.Range(0, Calls).Select(i => $"+1415557{i:D4}").ToList();
            var clock = Stopwatch.StartNew();
            var (placed, unfinished, requested) = await PlaceAndWait(mesh, numbers, Patience, cancellationToken);
            var wall = clock.Elapsed;
            var requests = mesh.Simulator.Control.Requests;
            foreach (var (number, lastSeen) in unfinished)
            {
                var created = requests.Count(r => r.StatusCode == 201 && r.Form.TryGetValue("To", out var to) && to.Contains(number));
                Console.WriteLine($"  unfinished after {Patience.TotalSeconds:F0} s  {number}, created at the simulator {created} time(s), last seen {lastSeen}");
            }

            if (Timeline)
            {
                PrintTimeline(requests, numbers);
            }

            if (unfinished.Count > 0)
            {
                var lines = mesh.Calls[0].RecentOutput.Split('\n')
                    .Where(line => line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal))
                    .TakeLast(5)
                    .Select(line => line.Length > 700 ? line[..700] + "..." : line);
                Console.WriteLine($"  Calls errors (last 5):\n{string.Join('\n', lines)}");
            }

            var memory = ResidentMemory.PeakFigures(("gateway", mesh.Gateway.ProcessId), ("Calls", mesh.Calls[0].ProcessId)).ToList();
            var latency = new[]
            {
                PlacementFigures.CommandToTwilio("warm-up", requests, warmupRequested),
                PlacementFigures.CommandToTwilio("measured", requests, requested),
            };
            foreach (var figure in latency.SelectMany(l => l))
            {
                Console.WriteLine($"  {figure.Name,-40} {figure.Value:F1} {figure.Unit}");
            }

            return Report(PlacementFigures.Of(requests, numbers), PlacementFigures.RateLimitedCreates(requests), placed, wall, [.. latency.SelectMany(l => l), .. memory]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or JsonException)
        {
            Console.WriteLine($"  error                    {ex.Message}");
            if (mesh is not null)
            {
                var lines = mesh.Calls[0].RecentOutput.Split('\n').TakeLast(10).Select(line => line.Length > 300 ? line[..300] + "..." : line);
                Console.WriteLine($"  Calls output (last lines):\n{string.Join('\n', lines)}");
            }

            return new ScenarioResult(Name, false, ex.GetType().Name);
        }
        finally
        {
            await Settle(starting);
            if (starting.IsCompletedSuccessfully)
            {
                await starting.Result.DisposeAsync();
            }
        }
    }

    /// <summary>Calls logs warnings and errors only, so its recent output still holds them when a placement is stuck.</summary>
    private async Task<Mesh> StartMesh(TestInfrastructure infrastructure) =>
        await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(),
            infrastructure.PostgresConnectionString,
            callsSettings: new Dictionary<string, string>
            {
                ["Calls__CallsPerSecond"] = ServiceCallsPerSecond.ToString(CultureInfo.InvariantCulture),
                ["Logging__LogLevel__Default"] = "Warning",
            });

    /// <summary>
    /// Places one call per number through the API, then polls every placement until it is finished or
    /// <paramref name="patience"/> has passed; returns how many were placed, the requests still unfinished and when
    /// each number's API request was sent.
    /// </summary>
    private static async Task<(int Placed, List<(string Number, string LastSeen)> Unfinished, Dictionary<string, DateTimeOffset> Requested)> PlaceAndWait(
        Mesh mesh, IReadOnlyList<string> numbers, TimeSpan patience, CancellationToken cancellationToken)
    {
        var outstanding = new Dictionary<string, string>(StringComparer.Ordinal);
        var requested = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var number in numbers)
        {
            requested[number] = TimeProvider.System.GetUtcNow();
            outstanding[await mesh.Place(new { to = number, twiml = "<Response/>" }).WaitAsync(cancellationToken)] = number;
        }

        var placed = 0;
        var clock = Stopwatch.StartNew();
        var lastSeen = new Dictionary<string, string>(StringComparer.Ordinal);
        while (outstanding.Count > 0 && clock.Elapsed < patience)
        {
            foreach (var (requestId, number) in outstanding.ToList())
            {
                using var response = await mesh.Client.GetAsync(new Uri($"/api/calls/requests/{requestId}", UriKind.Relative), cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                lastSeen[requestId] = $"{(int)response.StatusCode} {body}";
                if (response.IsSuccessStatusCode && JsonSerializer.Deserialize<JsonElement>(body) is var placement && Status(placement) != "requested")
                {
                    placed += Status(placement) == "placed" ? 1 : 0;
                    outstanding.Remove(requestId);
                }
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        return (placed, [.. outstanding.Select(o => (o.Value, lastSeen.GetValueOrDefault(o.Key, o.Key)))], requested);
    }

    /// <summary>How long a batch may take to place: twice its duration at the expected rate, plus half a minute.</summary>
    private TimeSpan Patience => TimeSpan.FromSeconds(30 + (2.0 * Calls / Math.Min(ServiceCallsPerSecond, SimulatorCallsPerSecond)));

    private static void PrintTimeline(IReadOnlyList<TwilioSimulator.Admin.RecordedRequest> requests, IReadOnlyList<string> numbers)
    {
        var wanted = numbers.ToHashSet(StringComparer.Ordinal);
        var creates = requests
            .Where(r => r.Method == "POST" && r.Path.EndsWith("/Calls.json", StringComparison.Ordinal)
                && r.Form.TryGetValue("To", out var to) && wanted.Contains(to[0]))
            .OrderBy(r => r.Time)
            .ToList();
        foreach (var create in creates)
        {
            Console.WriteLine($"  timeline {(create.Time - creates[0].Time).TotalMilliseconds,9:F1} ms  {create.StatusCode}  {create.Form["To"][0]}");
        }
    }

    private static string? Status(JsonElement placement) => placement.GetProperty("status").GetString();

    private ScenarioResult Report(PlacementFigures figures, int rateLimited, int placed, TimeSpan wall, IReadOnlyList<Figure> latencyAndMemory)
    {
        var expected = SimulatorCallsPerSecond;
        var ratio = figures.PerSecond / expected;
        var deviation = (ratio - 1) * 100;
        var allPlaced = placed == Calls && figures.Missing == 0 && figures.Duplicated == 0;
        Console.WriteLine($"  configured rate          {ServiceCallsPerSecond:F2} calls/s (simulator limit {SimulatorCallsPerSecond}/s)");
        Console.WriteLine($"  measured rate            {figures.PerSecond:F3} calls/s ({figures.Created} successful creates, "
            + $"{figures.Span.TotalSeconds:F3} s from first to last)");
        Console.WriteLine($"  ratio measured/expected  {ratio:F4} (expected {expected}/s: the simulator's limit"
            + $"{(ServiceCallsPerSecond == expected ? " and the configured rate" : "")})");
        Console.WriteLine($"  deviation                {deviation:+0.00;-0.00;0.00} %");
        Console.WriteLine($"  429 responses            {rateLimited} (measured calls {figures.RateLimited}, warm-up {rateLimited - figures.RateLimited})");
        Console.WriteLine($"  all placed               {(allPlaced ? "yes" : "no")} ({placed}/{Calls} placed; numbers created "
            + $"once {figures.CreatedOnce}, more than once {figures.Duplicated}, never {figures.Missing})");
        Console.WriteLine($"  numbers answered 429     {figures.NumbersRateLimited} (at most {figures.MostRateLimited} times one number)");
        Console.WriteLine($"  pauses of 1 s or more    {figures.Pauses} ({figures.PausedFor.TotalSeconds:F1} s without a successful create)");
        Console.WriteLine($"  create interval ms       min {figures.Intervals.Min:F1} / median {figures.Intervals.Median:F1} / "
            + $"p95 {figures.Intervals.P95:F1} / max {figures.Intervals.Max:F1}");
        Console.WriteLine($"  wall time                {wall.TotalSeconds:F2} s (first API request to last placement seen)");
        var passed = OverLimit
            ? allPlaced
            : allPlaced && rateLimited == 0 && Math.Abs(ratio - 1) <= Tolerance;
        Console.WriteLine($"  => {(passed ? "PASS" : "FAIL")}");
        var summary = $"measured {figures.PerSecond:F3}/s vs {expected}/s, deviation {deviation:+0.00;-0.00;0.00} %, "
            + $"{rateLimited} x 429, {placed}/{Calls} placed, {figures.Duplicated} duplicated, wall {wall.TotalSeconds:F1} s";
        return new ScenarioResult(Name, passed, summary)
        {
            Figures =
            [
                new Figure("create rate", figures.PerSecond, "calls/s") { Baseline = "simulator limit" },
                new Figure("simulator limit", expected, "calls/s"),
                new Figure("rate deviation", Math.Abs(deviation), "%") { Target = OverLimit ? null : new FigureTarget(TargetKind.AtMost, Tolerance * 100) },
                new Figure("429 responses", rateLimited, "count") { Target = OverLimit ? null : new FigureTarget(TargetKind.AtMost, 0) },
                new Figure("placed", placed, "calls") { Target = new FigureTarget(TargetKind.AtLeast, Calls) },
                new Figure("numbers never created (lost)", figures.Missing, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                new Figure("numbers created more than once (duplicates)", figures.Duplicated, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                new Figure("wall time", wall.TotalSeconds, "s"),
                .. latencyAndMemory,
            ],
        };
    }
}
