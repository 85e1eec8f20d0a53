using System.Diagnostics;
using System.Globalization;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// A process's resident memory from <c>/proc/PID/status</c>: <c>VmRSS</c> (resident now) and <c>VmHWM</c> (the
/// highest it has been since the process started), sampled every <see cref="Interval"/> until disposed; the figures
/// are read after that.
/// </summary>
internal sealed class ResidentMemory : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _peak;
    private TimeSpan _peakAt;
    private int _samples;

    private ResidentMemory(int pid)
    {
        _pid = pid;
        _sampling = Run();
    }

    /// <summary>The highest <c>VmRSS</c> sampled, in bytes, and when (since sampling began).</summary>
    public (long Bytes, TimeSpan At) Peak => (_peak, _peakAt);

    public int Samples => _samples;

    /// <summary>Starts sampling the process; throws where <c>/proc</c> has no status for it.</summary>
    public static ResidentMemory Sample(int pid) =>
        Read(pid, "VmRSS") is null ? throw new InvalidOperationException($"/proc/{pid}/status shows no VmRSS.") : new ResidentMemory(pid);

    /// <summary>A field of <c>/proc/PID/status</c> given in kB (<c>VmRSS</c>, <c>VmHWM</c>), in bytes; null when absent.</summary>
    public static long? Read(int pid, string field)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status")
                .Where(line => line.StartsWith(field + ":", StringComparison.Ordinal))
                .Select(line => (long?)(long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024))
                .FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The peak resident set (<c>VmHWM</c>) of each named process that is still running, as report figures
    /// (<c>peak RSS {name}</c>, in MB): read while the processes run, before they are stopped.
    /// </summary>
    public static IEnumerable<Figure> PeakFigures(params IEnumerable<(string Name, int? ProcessId)> processes) =>
        processes
            .Select(p => (p.Name, Bytes: p.ProcessId is { } pid ? Read(pid, "VmHWM") : null))
            .Where(p => p.Bytes is not null)
            .Select(p => new Figure($"peak RSS {p.Name}", p.Bytes!.Value / (1024.0 * 1024), "MB"));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task Run()
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            if (Read(_pid, "VmRSS") is { } rss)
            {
                _samples++;
                if (rss > _peak)
                {
                    _peak = rss;
                    _peakAt = _clock.Elapsed;
                }
            }
        }
        while (await Tick(timer));
    }

    private async Task<bool> Tick(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
