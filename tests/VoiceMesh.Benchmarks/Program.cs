using System.Globalization;
using VoiceMesh.Benchmarks;
using VoiceMesh.Testing;

// ./voicemesh bench [placement-cps] [placement-overlimit] [--calls N] [--rate R] [--timeline]
var timeout = TimeSpan.FromMinutes(5);
int? calls = null;
var timeline = false;
double? rate = null;
var names = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--calls" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 1)
    {
        calls = n;
        i++;
    }
    else if (args[i] == "--rate" && i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var r) && r > 0)
    {
        rate = r;
        i++;
    }
    else if (args[i] == "--timeline")
    {
        timeline = true;
    }
    else
    {
        names.Add(args[i]);
    }
}

var scenarios = new Dictionary<string, PlacementScenario>(StringComparer.Ordinal)
{
    ["placement-cps"] = new()
    {
        Name = "placement-cps", ServiceCallsPerSecond = rate ?? 5, SimulatorCallsPerSecond = 5, Calls = calls ?? 100, OverLimit = false, Timeline = timeline,
    },
    ["placement-overlimit"] = new()
    {
        Name = "placement-overlimit", ServiceCallsPerSecond = 10, SimulatorCallsPerSecond = 5, Calls = calls ?? 60, OverLimit = true, Timeline = timeline,
    },
};
if (names.Count == 0)
{
    names.AddRange(scenarios.Keys);
}

if (names.FirstOrDefault(name => !scenarios.ContainsKey(name)) is { } unknown)
{
    Console.Error.WriteLine($"unknown scenario or argument '{unknown}'");
    Console.Error.WriteLine($"usage: VoiceMesh.Benchmarks [{string.Join("] [", scenarios.Keys)}] [--calls N (> 1)] [--rate R (Calls:CallsPerSecond of placement-cps, default 5)] [--timeline]");
    return 2;
}

Console.WriteLine($"VoiceMesh placement benchmark: {string.Join(", ", names)}; {Environment.ProcessorCount} cores, "
    + $"load average {LoadAverage()}, timeout {timeout.TotalMinutes} min, started {DateTimeOffset.UtcNow:u}");

// Past the timeout plus a grace period for disposal, the process ends whatever is still running.
using var hardStop = new Timer(
    _ =>
    {
        Console.WriteLine($"FAIL: still running {timeout + PlacementScenario.StopGrace} after the start; exiting");
        Environment.Exit(1);
    },
    null,
    timeout + PlacementScenario.StopGrace,
    Timeout.InfiniteTimeSpan);
using var deadline = new CancellationTokenSource(timeout);
var infrastructure = new TestInfrastructure();
var starting = infrastructure.InitializeAsync().AsTask();
var results = new List<ScenarioResult>();
try
{
    await starting.WaitAsync(deadline.Token);
    Console.WriteLine("PostgreSQL and RabbitMQ are up");
    foreach (var name in names)
    {
        results.Add(await scenarios[name].Run(infrastructure, deadline.Token));
    }
}
catch (OperationCanceledException) when (deadline.IsCancellationRequested)
{
    Console.WriteLine($"FAIL: the benchmark did not finish within {timeout.TotalMinutes} min");
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
{
    Console.WriteLine($"FAIL: the infrastructure did not start: {ex.Message}");
}
finally
{
    await PlacementScenario.Settle(starting);
    await infrastructure.DisposeAsync();
}

Console.WriteLine();
foreach (var name in names)
{
    Console.WriteLine(results.Find(r => r.Name == name) is { } result
        ? $"{name}: {(result.Passed ? "PASS" : "FAIL")} ({result.Summary})"
        : $"{name}: FAIL (did not run to the end)");
}

var passed = results.Count(r => r.Passed);
Console.WriteLine($"{passed} passed, {names.Count - passed} failed");
return passed == names.Count ? 0 : 1;

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
