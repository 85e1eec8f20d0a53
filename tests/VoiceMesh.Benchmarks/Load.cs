using System.Diagnostics;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// One item of a load run: when it was sent (this machine's wall clock), how long its acknowledgement took, and what
/// came instead of the expected one (a 204 for a webhook, a confirm for a publish); null when it came.
/// </summary>
internal readonly record struct Ack(DateTimeOffset SentAt, double Milliseconds, string? Failure);

/// <summary>
/// Every acknowledgement of one load run, in the order of the items sent, and the time from the first send to the
/// last answer: its throughput, nearest-rank latency percentiles and errors.
/// </summary>
internal sealed record LoadRun(IReadOnlyList<Ack> Acks, TimeSpan Elapsed)
{
    private readonly double[] _sorted = [.. Acks.Select(a => a.Milliseconds).Order()];

    public double PerSecond => Elapsed > TimeSpan.Zero ? Acks.Count / Elapsed.TotalSeconds : 0;

    public double P50 => Rank(0.50);

    public double P99 => Rank(0.99);

    public double P999 => Rank(0.999);

    public double Max => _sorted.Length == 0 ? 0 : _sorted[^1];

    public int Errors => Acks.Count(a => a.Failure is not null);

    /// <summary>When the last acknowledgement arrived, on the wall clock.</summary>
    public DateTimeOffset LastAck => Acks.Max(a => a.SentAt.AddMilliseconds(a.Milliseconds));

    public string Line() =>
        $"{Acks.Count} in {Elapsed.TotalSeconds:F2} s: {PerSecond,6:F0}/s, p50 {P50:F1} / p99 {P99:F1} / p99.9 {P999:F1} / max {Max:F1} ms, {Errors} errors"
        + (Errors == 0 ? "" : " (" + string.Join(", ", Acks.Where(a => a.Failure is not null).GroupBy(a => a.Failure).Select(g => $"{g.Count()} {g.Key}")) + ")");

    /// <summary>The nearest-rank <paramref name="percentile"/> (0 to 1) of ascending <paramref name="sorted"/>; 0 when empty.</summary>
    public static double Rank(IReadOnlyList<double> sorted, double percentile) =>
        sorted.Count == 0 ? 0 : sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * percentile) - 1)];

    private double Rank(double percentile) => Rank(_sorted, percentile);
}

/// <summary>
/// Drives load at a target two ways: closed loop (a fixed number of workers, each sending its next item as soon as
/// the last was acknowledged) and open loop (items started on a fixed schedule whatever the answers, each timed from
/// its scheduled start, so a stall is counted against every item it delays and not hidden by the sender waiting).
/// </summary>
internal static class Load
{
    /// <summary>Sends items 0 to <paramref name="count"/> - 1 through <paramref name="concurrency"/> workers.</summary>
    public static async Task<LoadRun> Closed(
        int count, int concurrency, Func<int, CancellationToken, Task<string?>> send, CancellationToken cancellationToken)
    {
        var acks = new Ack[count];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var sentAt = TimeProvider.System.GetUtcNow();
                var started = Stopwatch.GetTimestamp();
                var failure = await send(i, cancellationToken);
                acks[i] = new Ack(sentAt, Stopwatch.GetElapsedTime(started).TotalMilliseconds, failure);
            }
        }));
        return new LoadRun(acks, clock.Elapsed);
    }

    /// <summary>Starts item i at i / <paramref name="perSecond"/> seconds after the first, whatever the earlier ones' answers.</summary>
    public static async Task<LoadRun> Paced(
        int count, double perSecond, Func<int, CancellationToken, Task<string?>> send, CancellationToken cancellationToken)
    {
        var acks = new Ack[count];
        var sends = new Task[count];
        var originWall = TimeProvider.System.GetUtcNow();
        var origin = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            var wait = due - Stopwatch.GetElapsedTime(origin);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            sends[i] = Timed(i, due);
        }

        await Task.WhenAll(sends);
        return new LoadRun(acks, Stopwatch.GetElapsedTime(origin));

        async Task Timed(int i, TimeSpan due)
        {
            var failure = await send(i, cancellationToken);
            acks[i] = new Ack(originWall + due, (Stopwatch.GetElapsedTime(origin) - due).TotalMilliseconds, failure);
        }
    }
}
