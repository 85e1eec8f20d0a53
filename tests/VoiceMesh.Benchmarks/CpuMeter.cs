using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// The machine's CPU time (busy and in all, over every core) and each measured process's, in clock ticks, and when it
/// was taken (a <see cref="Stopwatch"/> timestamp).
/// </summary>
internal sealed record CpuSnapshot(long Total, long Busy, IReadOnlyDictionary<string, long> Processes, long Taken);

/// <summary>
/// Where a phase's CPU went, from /proc: the whole machine, the named service processes (found by the <c>Urls</c>
/// they were started with), RabbitMQ (the Erlang VM, <c>beam.smp</c>), the PostgreSQL server (its postmaster, found by
/// port, and its backends) and this benchmark; what is left is everything else on the machine (the kernel's own
/// threads, and whatever else shares it).
/// </summary>
internal sealed partial class CpuMeter
{
    private readonly Dictionary<string, int> _processes;
    private readonly int? _postmaster;

    private CpuMeter(Dictionary<string, int> processes, int? postmaster)
    {
        _processes = processes;
        _postmaster = postmaster;
    }

    /// <summary>A meter for the named servers and the PostgreSQL of the connection string, or null without /proc.</summary>
    public static CpuMeter? For(IReadOnlyDictionary<string, Uri> servers, string postgres)
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        var processes = new Dictionary<string, int>(StringComparer.Ordinal) { ["benchmark"] = Environment.ProcessId };
        foreach (var (name, server) in servers)
        {
            var urls = "Urls=" + server.ToString().TrimEnd('/');
            if (Pids().FirstOrDefault(pid => Read($"/proc/{pid}/environ")?.Split('\0').Contains(urls, StringComparer.Ordinal) == true) is var found and > 0)
            {
                processes[name] = found;
            }
        }

        if (Pids().FirstOrDefault(pid => Read($"/proc/{pid}/comm")?.Trim() == "beam.smp") is var rabbit and > 0)
        {
            processes["RabbitMQ"] = rabbit;
        }

        int? postmaster = null;
        if (PortSetting().Match(postgres) is { Success: true } port)
        {
            var wanted = port.Groups[1].Value;
            postmaster = Pids().Select(pid => (Pid: pid, Args: Read($"/proc/{pid}/cmdline")?.Split('\0') ?? []))
                .Where(p => p.Args.Length > 0 && p.Args[0].EndsWith("postgres", StringComparison.Ordinal))
                .Where(p => p.Args.Zip(p.Args.Skip(1)).Any(a => a.First == "-p" && a.Second == wanted))
                .Select(p => (int?)p.Pid)
                .FirstOrDefault();
        }

        return new CpuMeter(processes, postmaster);
    }

    public CpuSnapshot Take()
    {
        var machine = File.ReadAllLines("/proc/stat")[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal guest guest_nice; guest time is counted in user already.
        var total = machine.Take(8).Sum();
        var busy = total - machine[3] - machine[4];
        var processes = _processes.ToDictionary(p => p.Key, p => Ticks(p.Value, children: false), StringComparer.Ordinal);
        if (_postmaster is { } postmaster)
        {
            // The postmaster's own time, its exited children's, and the backends running now.
            processes["PostgreSQL"] = Ticks(postmaster, children: true)
                + Pids().Where(pid => Stat(pid) is { } stat && stat[1] == postmaster.ToString(CultureInfo.InvariantCulture)).Sum(pid => Ticks(pid, children: false));
        }

        return new CpuSnapshot(total, busy, processes, Stopwatch.GetTimestamp());
    }

    /// <summary>Each share of the machine's CPU (all cores together) between two snapshots.</summary>
    public static string Describe(CpuSnapshot from, CpuSnapshot to)
    {
        var total = Math.Max(1, to.Total - from.Total);
        string Share(long ticks) => $"{100.0 * ticks / total:F0}%";
        var shares = to.Processes.Keys.Select(name => (Name: name, Ticks: to.Processes[name] - from.Processes.GetValueOrDefault(name))).ToList();
        var busy = to.Busy - from.Busy;
        return $"machine {Share(busy)} busy of {Environment.ProcessorCount} cores: "
            + string.Join(", ", shares.Select(s => $"{s.Name} {Share(s.Ticks)}"))
            + $", everything else {Share(Math.Max(0, busy - shares.Sum(s => s.Ticks)))}";
    }

    /// <summary>The CPU time each measured process spent per item of work between two snapshots.</summary>
    public static string PerItem(CpuSnapshot from, CpuSnapshot to, int items) =>
        string.Join(", ", PerItemMilliseconds(from, to, items).Select(p => $"{p.Key} {p.Value:F1} ms"));

    /// <summary>The CPU milliseconds each measured process spent per item of work between two snapshots, by process.</summary>
    public static IReadOnlyDictionary<string, double> PerItemMilliseconds(CpuSnapshot from, CpuSnapshot to, int items)
    {
        var total = Math.Max(1, to.Total - from.Total);
        var coreMilliseconds = Stopwatch.GetElapsedTime(from.Taken, to.Taken).TotalMilliseconds * Environment.ProcessorCount;
        return to.Processes.ToDictionary(
            p => p.Key,
            p => coreMilliseconds * (p.Value - from.Processes.GetValueOrDefault(p.Key)) / total / Math.Max(1, items),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// The measured CPU bound of a phase: how busy the machine was, each process's CPU per <paramref name="item"/>, and
    /// the rate the machine's cores allow at the CPU the whole machine spent per item.
    /// </summary>
    public static string Bound(string item, CpuSnapshot? from, CpuSnapshot? to, int items)
    {
        if (from is null || to is null || items == 0)
        {
            return "CPU not measured (no /proc)";
        }

        var total = Math.Max(1, to.Total - from.Total);
        var busyPerItem = Stopwatch.GetElapsedTime(from.Taken, to.Taken).TotalMilliseconds * Environment.ProcessorCount * (to.Busy - from.Busy) / total / items;
        var processes = PerItemMilliseconds(from, to, items).OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:F2} ms");
        return $"CPU: the machine was {100.0 * (to.Busy - from.Busy) / total:F0}% busy; CPU per {item} {string.Join(", ", processes)}, "
            + $"{busyPerItem:F2} ms over the whole machine: {Environment.ProcessorCount} cores allow at most "
            + $"{(busyPerItem > 0 ? Environment.ProcessorCount * 1000 / busyPerItem : 0):F0} {item}s/s";
    }

    /// <summary>The CPU per item of each process as report figures (<c>CPU per {item} {process}</c>, in ms).</summary>
    public static IEnumerable<Figure> PerItemFigures(string item, CpuSnapshot? from, CpuSnapshot? to, int items) =>
        from is null || to is null
            ? []
            : PerItemMilliseconds(from, to, items).Select(p => new Figure($"CPU per {item} {p.Key}", p.Value, "ms"));

    private static long Ticks(int pid, bool children)
    {
        // Fields after "(comm)": state ppid ... utime (index 11) stime cutime cstime.
        if (Stat(pid) is not { Length: > 14 } stat)
        {
            return 0;
        }

        var ticks = long.Parse(stat[11], CultureInfo.InvariantCulture) + long.Parse(stat[12], CultureInfo.InvariantCulture);
        return children
            ? ticks + long.Parse(stat[13], CultureInfo.InvariantCulture) + long.Parse(stat[14], CultureInfo.InvariantCulture)
            : ticks;
    }

    private static string[]? Stat(int pid) =>
        Read($"/proc/{pid}/stat") is { } stat && stat.LastIndexOf(')') is var end and > 0
            ? stat[(end + 2)..].Split(' ')
            : null;

    private static IEnumerable<int> Pids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    /// <summary>A /proc file's text, or null when the process has gone or may not be read.</summary>
    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"(?:^|;)\s*Port\s*=\s*(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PortSetting();
}
