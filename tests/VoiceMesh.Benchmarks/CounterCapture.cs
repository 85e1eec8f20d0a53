using System.Diagnostics;
using System.Globalization;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// Whether the repository's dotnet-counters (<c>.config/dotnet-tools.json</c>, restored by <c>dotnet tool restore</c>)
/// runs here; <see cref="Reason"/> says why not.
/// </summary>
internal sealed record CounterTool(bool IsAvailable, string Reason)
{
    /// <summary>No report is written, so the tool was not looked for.</summary>
    public static CounterTool NotProbed { get; } = new(false, "no --report folder");

    /// <summary>Runs <c>dotnet dotnet-counters --version</c> in the repository, for a minute at most.</summary>
    public static async Task<CounterTool> Probe()
    {
        Process probe;
        try
        {
            probe = Process.Start(Command("--version"))!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new CounterTool(false, $"dotnet does not start: {ex.Message}");
        }

        using (probe)
        {
            var output = probe.StandardOutput.ReadToEndAsync();
            var error = probe.StandardError.ReadToEndAsync();
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await probe.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                probe.Kill(entireProcessTree: true);
                return new CounterTool(false, "dotnet-counters --version did not answer within a minute");
            }

            return probe.ExitCode == 0
                ? new CounterTool(true, $"dotnet-counters {(await output).Trim()}")
                : new CounterTool(false, $"dotnet-counters does not run ({(await error).Trim()}); run 'dotnet tool restore' in the repository");
        }
    }

    /// <summary>The repository's dotnet-counters with <paramref name="arguments"/>, its output read by the caller.</summary>
    public static ProcessStartInfo Command(params IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("dotnet-counters");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}

/// <summary>
/// Counter evidence for a measured phase: one <c>dotnet-counters collect</c> per process (CSV, every second, the
/// <see cref="Providers"/>), written to <c>{report}/counters/{scenario}-{run}-{process}.csv</c> and listed under the run
/// in the report. A scenario that implements <see cref="IReportingScenario"/> gets its <see cref="BenchmarkRun"/> and
/// wraps its measured phase:
/// <code>
/// await using (await CounterCapture.Start(run, [("gateway", mesh.Gateway.ProcessId), ("Calls", mesh.Calls[0].ProcessId)], Measured))
/// {
///     // the measured phase
/// }
/// </code>
/// <see cref="Start"/> returns once every collector is attached; disposing waits for them to end at the end of
/// <c>duration</c> (the tool ends a session cleanly only then: killed, it loses its last buffered lines) and kills one that
/// runs <see cref="Grace"/> past it. Starting the tool takes a few seconds of CPU before the phase, and collecting a little
/// during it, on the machine being measured. Without a report folder, or where the tool does not run (see
/// <see cref="CounterTool"/>), it collects nothing and says why.
/// </summary>
internal sealed class CounterCapture : IAsyncDisposable
{
    public const string Providers = "System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft-AspNetCore-Server-Kestrel,System.Net.Http";

    /// <summary>
    /// The runtime's counters alone (CPU, GC, thread pool, lock contention, exceptions): for phases of thousands of
    /// requests a second, where the request-level providers of <see cref="Providers"/> cost the process under test
    /// a measurable share of two cores (webhook-ingress at 256 connections: 2,399 webhooks/s with them, ~5,000 without).
    /// </summary>
    public const string RuntimeOnly = "System.Runtime";

    /// <summary>How long a collector may take to attach, and to finish after its duration.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    private const string Attached = "Starting a counter session";

    private readonly BenchmarkRun _run;
    private readonly IReadOnlyList<Collector> _collectors;
    private readonly TimeSpan _duration;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private CounterCapture(BenchmarkRun run, IReadOnlyList<Collector> collectors, TimeSpan duration)
    {
        _run = run;
        _collectors = collectors;
        _duration = duration;
    }

    /// <summary>
    /// Starts collecting the counters of each named process (a null id, a process that is not running, is skipped) for
    /// <paramref name="duration"/>, and returns once every collector attached or <see cref="Grace"/> passed.
    /// </summary>
    public static async Task<CounterCapture> Start(
        BenchmarkRun run, IReadOnlyList<(string Name, int? ProcessId)> processes, TimeSpan duration, string providers = Providers)
    {
        if (run.ReportDirectory is null || !run.Counters.IsAvailable)
        {
            if (run.ReportDirectory is not null)
            {
                Console.WriteLine($"  counters                 not collected: {run.Counters.Reason}");
            }

            return new CounterCapture(run, [], duration);
        }

        var folder = Path.Combine(run.ReportDirectory, "counters");
        Directory.CreateDirectory(folder);
        var collectors = new List<Collector>();
        foreach (var (name, processId) in processes)
        {
            if (processId is not { } pid)
            {
                Console.WriteLine($"  counters                 {name}: not running, not collected");
                continue;
            }

            var relative = Path.Combine("counters", $"{run.Scenario}-{run.Run}-{name}.csv");
            var file = Path.Combine(run.ReportDirectory, relative);
            File.Delete(file);
            collectors.Add(Collector.Start(name, pid, relative, file, duration, providers));
        }

        await Task.WhenAll(collectors.Select(c => c.WaitUntilAttached(Grace)));
        return new CounterCapture(run, collectors, duration);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var collector in _collectors)
        {
            var left = _duration + Grace - _clock.Elapsed;
            var line = await collector.Finish(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            if (collector.Written)
            {
                _run.AddEvidence(collector.RelativePath);
            }

            Console.WriteLine($"  counters                 {collector.Name} (pid {collector.ProcessId}): {line}");
        }
    }

    /// <summary>One <c>dotnet-counters collect</c> child process and what it printed.</summary>
    private sealed class Collector
    {
        private readonly Process _process;
        private readonly List<string> _output = [];
        private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Collector(string name, int processId, string relativePath, string fullPath, Process process)
        {
            Name = name;
            ProcessId = processId;
            RelativePath = relativePath;
            FullPath = fullPath;
            _process = process;
        }

        public string Name { get; }

        public int ProcessId { get; }

        public string RelativePath { get; }

        public string FullPath { get; }

        public bool Written => new FileInfo(FullPath) is { Exists: true, Length: > 0 };

        public static Collector Start(string name, int processId, string relativePath, string fullPath, TimeSpan duration, string providers)
        {
            var process = new Process
            {
                StartInfo = CounterTool.Command(
                    "collect", "--process-id", processId.ToString(CultureInfo.InvariantCulture), "--format", "csv", "--output", fullPath,
                    "--refresh-interval", "1", "--counters", providers,
                    "--duration", TimeSpan.FromSeconds(Math.Ceiling(duration.TotalSeconds)).ToString(@"d\:hh\:mm\:ss", CultureInfo.InvariantCulture)),
            };
            var collector = new Collector(name, processId, relativePath, fullPath, process);
            process.OutputDataReceived += (_, e) => collector.Received(e.Data);
            process.ErrorDataReceived += (_, e) => collector.Received(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return collector;
        }

        public async Task WaitUntilAttached(TimeSpan patience)
        {
            await Task.WhenAny(_attached.Task, _process.WaitForExitAsync(), Task.Delay(patience));
        }

        /// <summary>Waits up to <paramref name="patience"/> for the collector to end, kills it after that; says what it wrote.</summary>
        public async Task<string> Finish(TimeSpan patience)
        {
            using (_process)
            {
                using var wait = new CancellationTokenSource(patience);
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                    return $"killed {Grace.TotalSeconds:F0} s after its duration; {Describe()}";
                }

                return _process.ExitCode == 0 ? Describe() : $"exit code {_process.ExitCode}: {LastOutput()}; {Describe()}";
            }
        }

        private string Describe() =>
            Written ? $"{File.ReadLines(FullPath).Count() - 1} rows in {RelativePath}" : $"nothing written ({LastOutput()})";

        private string LastOutput()
        {
            lock (_output)
            {
                return string.Join(" | ", _output.TakeLast(3));
            }
        }

        private void Received(string? line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                return;
            }

            lock (_output)
            {
                _output.Add(line.Trim());
            }

            if (line.Contains(Attached, StringComparison.Ordinal))
            {
                _attached.TrySetResult();
            }
        }
    }
}
