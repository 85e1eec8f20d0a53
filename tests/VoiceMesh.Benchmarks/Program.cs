using System.Globalization;
using VoiceMesh.Benchmarks;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.Testing;

// ./voicemesh bench [placement-cps] [placement-overlimit] [twiml-menu] [recordings-archive] [recordings-memory] [conference-commands]
//                   [--calls N] [--rate R] [--timeline] [--concurrency N] [--think MS] [--seconds S]
//                   [--recordings N] [--size-mb MB] [--backend filesystem] [number-acquire] [--leases N]
//                   [media-streams] [--streams N] [--vad energy|silero] [vad] [tracing-overhead] [webhook-ingress] [drain]
//                   [--runs N] [--report DIR]
string[] reportScenarios = ["webhook-ingress", "drain", "placement-cps", "number-acquire", "conference-commands", "recordings-archive"];
var timeout = TimeSpan.FromMinutes(10);
int? calls = null;
var timeline = false;
double? rate = null;
var concurrency = 200;
var think = 1000;
var seconds = 60;
var recordings = RecordingArchiveScenario.DefaultRecordings;
var sizeMegabytes = RecordingArchiveScenario.DefaultSizeMegabytes;
var backend = BackendKind.FileSystem;
var streams = 500;
var vad = VadKind.Energy;
int? leases = null;
var runs = 1;
string? report = null;
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
    else if (args[i] == "--leases" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var l) && l is >= 100 and <= 1_000_000)
    {
        leases = l;
        i++;
    }
    else if (args[i] == "--runs" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var rn) && rn is >= 1 and <= 20)
    {
        runs = rn;
        i++;
    }
    else if (args[i] == "--report" && i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
    {
        report = Path.GetFullPath(args[i + 1]);
        i++;
    }
    else if (args[i] == "--timeline")
    {
        timeline = true;
    }
    else if (args[i] == "--concurrency" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var c) && c is >= 1 and <= 2000)
    {
        concurrency = c;
        i++;
    }
    else if (args[i] == "--think" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var t) && t is >= 0 and <= 60_000)
    {
        think = t;
        i++;
    }
    else if (args[i] == "--seconds" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s)
        && s >= 5 && s <= TwimlMenuScenario.LongestMeasured.TotalSeconds)
    {
        seconds = s;
        i++;
    }
    else if (args[i] == "--recordings" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var count)
        && count is >= 1 and <= RecordingArchiveScenario.MaxRecordings)
    {
        recordings = count;
        i++;
    }
    else if (args[i] == "--size-mb" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var mb)
        && mb is >= 1 and <= RecordingArchiveScenario.MaxSizeMegabytes)
    {
        sizeMegabytes = mb;
        i++;
    }
    else if (args[i] == "--streams" && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var st) && st is >= 1 and <= 2000)
    {
        streams = st;
        i++;
    }
    else if (args[i] == "--vad" && i + 1 < args.Length && Enum.TryParse<VadKind>(args[i + 1], ignoreCase: true, out var v) && Enum.IsDefined(v))
    {
        vad = v;
        i++;
    }
    else if (args[i] == "--backend" && i + 1 < args.Length && Backends.Parse(args[i + 1]) is { } kind)
    {
        backend = kind;
        i++;
    }
    else
    {
        names.Add(args[i]);
    }
}

var scenarios = new Dictionary<string, IScenario>(StringComparer.Ordinal)
{
    ["placement-cps"] = new PlacementScenario
    {
        Name = "placement-cps", ServiceCallsPerSecond = rate ?? 5, SimulatorCallsPerSecond = 5, Calls = calls ?? 100, OverLimit = false, Timeline = timeline,
    },
    ["placement-overlimit"] = new PlacementScenario
    {
        Name = "placement-overlimit", ServiceCallsPerSecond = 10, SimulatorCallsPerSecond = 5, Calls = calls ?? 60, OverLimit = true, Timeline = timeline,
    },
    ["twiml-menu"] = new TwimlMenuScenario
    {
        Name = "twiml-menu", Concurrency = concurrency, Think = TimeSpan.FromMilliseconds(think), Measured = TimeSpan.FromSeconds(seconds),
    },
    ["recordings-archive"] = new RecordingArchiveScenario
    {
        Name = "recordings-archive", Recordings = recordings, SizeMegabytes = sizeMegabytes, Backend = backend,
    },
    ["recordings-memory"] = new RecordingMemoryScenario { Name = "recordings-memory", Backend = backend },
    ["conference-commands"] = new ConferenceCommandsScenario
    {
        Name = "conference-commands", Rate = rate ?? 50, Measured = TimeSpan.FromSeconds(args.Contains("--seconds") ? seconds : 30),
    },
    ["number-acquire"] = new NumberAcquireScenario { Name = "number-acquire", Leases = leases ?? 10_000 },
    ["media-streams"] = new MediaStreamsScenario { Name = "media-streams", Streams = streams, Seconds = seconds, Vad = vad },
    ["vad"] = new VadScenario { Name = "vad" },
    ["tracing-overhead"] = new TracingOverheadScenario
    {
        Name = "tracing-overhead", Concurrency = args.Contains("--concurrency") ? concurrency : 32, Phase = TimeSpan.FromSeconds(args.Contains("--seconds") ? seconds : 8),
    },
    ["webhook-ingress"] = new IngressScenario { Name = "webhook-ingress", Calls = calls ?? StatusBurst.DefaultCalls },
    ["drain"] = new DrainScenario { Name = "drain", Calls = calls ?? StatusBurst.DefaultCalls },
};
if (names.Count == 0)
{
    names.AddRange(report is null ? scenarios.Keys : reportScenarios);
}

if (names.FirstOrDefault(name => !scenarios.ContainsKey(name)) is { } unknown)
{
    Console.Error.WriteLine($"unknown scenario or argument '{unknown}'");
    Console.Error.WriteLine($"usage: VoiceMesh.Benchmarks [{string.Join("] [", scenarios.Keys)}] [--calls N (> 1)] [--rate R (Calls:CallsPerSecond of placement-cps, default 5)] [--timeline]"
        + " (conference-commands: commands/s, default 50)"
        + $" [--concurrency N (twiml-menu callers, 1-2000, default 200)] [--think MS (0-60000, default 1000)]"
        + $" [--seconds S (twiml-menu phase length, 5-{TwimlMenuScenario.LongestMeasured.TotalSeconds:F0}, default 60; conference-commands, default 30)]"
        + $" [--recordings N (recordings-archive, 1-{RecordingArchiveScenario.MaxRecordings}, default {RecordingArchiveScenario.DefaultRecordings})]"
        + $" [--size-mb MB (recordings-archive, 1-{RecordingArchiveScenario.MaxSizeMegabytes}, default {RecordingArchiveScenario.DefaultSizeMegabytes})]"
        + $" [--backend {string.Join('|', Backends.Names)} (recordings scenarios, default {Backends.Name(BackendKind.FileSystem)})]"
        + " [--leases N (number-acquire, 100-1000000, default 10000)]"
        + " [--streams N (media-streams, 1-2000, default 500; --seconds is its length)] [--vad energy|silero (media-streams, default energy)]"
        + " (tracing-overhead: --concurrency senders, default 32; --seconds per phase, default 8)"
        + $" (webhook-ingress, drain: --calls per burst, 4 status callbacks each, default {StatusBurst.DefaultCalls})"
        + " [--runs N (each scenario N times, 1-20, default 1)]"
        + $" [--report DIR (writes DIR/report.md and DIR/report.json; with no scenario named runs {string.Join(' ', reportScenarios)})]");
    return 2;
}

var machine = MachineFacts.AtStart(DateTimeOffset.UtcNow);
Console.WriteLine($"VoiceMesh benchmark: {string.Join(", ", names)}{(runs > 1 ? $", {runs} runs each" : "")}; {Environment.ProcessorCount} cores, "
    + $"load average {machine.LoadAverageAtStart}, timeout {timeout.TotalMinutes} min per scenario run, started {machine.StartedAt:u}");
var counters = CounterTool.NotProbed;
if (report is not null)
{
    counters = await CounterTool.Probe();
    Console.WriteLine($"report into {report}; counters: {(counters.IsAvailable ? counters.Reason : $"not collected, {counters.Reason}")}");
}

// Past every timeout plus a grace period for disposal, the process ends whatever is still running.
var hardLimit = (timeout * ((names.Count * runs) + 1)) + PlacementScenario.StopGrace;
using var hardStop = new Timer(
    _ =>
    {
        Console.WriteLine($"FAIL: still running {hardLimit} after the start; exiting");
        Environment.Exit(1);
    },
    null,
    hardLimit,
    Timeout.InfiniteTimeSpan);
var infrastructure = new TestInfrastructure();
var starting = infrastructure.InitializeAsync().AsTask();
var completed = new List<ScenarioRun>();
try
{
    using (var startDeadline = new CancellationTokenSource(timeout))
    {
        await starting.WaitAsync(startDeadline.Token);
    }

    Console.WriteLine("PostgreSQL and RabbitMQ are up");
    using (var versions = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
    {
        machine = await machine.WithServers(infrastructure, versions.Token);
    }

    foreach (var name in names)
    {
        for (var index = 1; index <= runs; index++)
        {
            if (runs > 1)
            {
                Console.WriteLine();
                Console.WriteLine($"-- {name}, run {index} of {runs}");
            }

            var run = new BenchmarkRun(name, index, report, counters);
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                var result = await scenarios[name].RunIn(run, infrastructure, deadline.Token);
                completed.Add(new ScenarioRun(name, index, result) { Evidence = run.Evidence });
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                Console.WriteLine($"FAIL: {name} did not finish within {timeout.TotalMinutes} min");
                completed.Add(new ScenarioRun(name, index, null) { Evidence = run.Evidence });
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
            {
                // One scenario that cannot run (a model not fetched, a process that does not start) leaves the others to run.
                Console.WriteLine($"FAIL: {name}: {ex.Message}");
                completed.Add(new ScenarioRun(name, index, new ScenarioResult(name, false, $"{ex.GetType().Name}: {ex.Message}")) { Evidence = run.Evidence });
            }
        }
    }
}
catch (OperationCanceledException)
{
    Console.WriteLine($"FAIL: PostgreSQL and RabbitMQ did not start within {timeout.TotalMinutes} min");
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
var outcomes = names.SelectMany(name => Enumerable.Range(1, runs).Select(index =>
        completed.Find(r => r.Scenario == name && r.Run == index) ?? new ScenarioRun(name, index, null)))
    .ToList();
foreach (var outcome in outcomes)
{
    var label = runs > 1 ? $"{outcome.Scenario} (run {outcome.Run})" : outcome.Scenario;
    Console.WriteLine(outcome.Result is { } result
        ? $"{label}: {(result.Passed ? "PASS" : "FAIL")} ({result.Summary})"
        : $"{label}: FAIL (did not run to the end)");
}

if (report is not null)
{
    var (markdown, json) = await ReportWriter.Write(ReportAggregation.Aggregate(machine.Ended(DateTimeOffset.UtcNow), runs, outcomes), report);
    Console.WriteLine($"report: {markdown}, {json}");
}

var passed = outcomes.Count(r => r.Result?.Passed == true);
Console.WriteLine($"{passed} passed, {outcomes.Count - passed} failed");
return passed == outcomes.Count ? 0 : 1;
