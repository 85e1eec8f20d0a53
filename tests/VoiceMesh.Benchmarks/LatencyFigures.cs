namespace VoiceMesh.Benchmarks;

/// <summary>The request a virtual caller sent; for TwiML, the turn of the menu walk it is.</summary>
internal enum Turn
{
    /// <summary><c>GET /health/live</c>, the baseline.</summary>
    Health,

    /// <summary><c>POST /twilio/voice</c>: the call rings in.</summary>
    Incoming,

    /// <summary>The menu's no-input fall-through (its <c>&lt;Redirect&gt;</c>): the caller pressed nothing.</summary>
    NoInput,

    /// <summary>The menu's <c>&lt;Gather&gt;</c> action with <c>Digits=1</c>.</summary>
    Digit,

    /// <summary>The forward's <c>&lt;Dial&gt;</c> action: the forwarded call ended.</summary>
    DialEnded,

    /// <summary>The call's <c>completed</c> status callback: load, not timed; recorded only when it failed.</summary>
    StatusCallback,
}

/// <summary>A server the requests go to: the gateway, or Calls itself.</summary>
internal sealed record Target(string Name, Uri BaseAddress);

/// <summary>
/// One timed request: where it went, when it was sent (seconds into its phase), its latency, and why its answer was
/// wrong (null when it was right).
/// </summary>
internal readonly record struct Sample(Turn Turn, string Target, double At, double Milliseconds, string? Failure, bool Apology);

/// <summary>Nearest-rank percentiles of request latencies, in milliseconds.</summary>
internal sealed record Latency(int Count, double P50, double P95, double P99, double Max)
{
    public static Latency Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToList();
        return sorted.Count == 0
            ? new Latency(0, 0, 0, 0, 0)
            : new Latency(sorted.Count, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    private static double Rank(List<double> sorted, double percentile) =>
        sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * percentile) - 1)];
}

/// <summary>Every request one load phase timed, over the phase's duration.</summary>
internal sealed record PhaseFigures(string Label, TimeSpan Duration, IReadOnlyList<Sample> Samples)
{
    public Latency Latency { get; } = Latency.Of(Samples.Select(s => s.Milliseconds));

    /// <summary>Requests timed per second of the phase.</summary>
    public double PerSecond => Samples.Count / Duration.TotalSeconds;

    public int Failures => Samples.Count(s => s.Failure is not null);

    public int Apologies => Samples.Count(s => s.Apology);

    public Latency Of(Turn turn, string target) =>
        Latency.Of(Samples.Where(s => s.Turn == turn && s.Target == target).Select(s => s.Milliseconds));

    public Latency Of(string target) => Latency.Of(Samples.Where(s => s.Target == target).Select(s => s.Milliseconds));

    /// <summary>The p99 of each <paramref name="window"/> of the phase, by when the requests were sent.</summary>
    public IEnumerable<double> P99s(TimeSpan window) =>
        Samples.GroupBy(s => (int)(s.At / window.TotalSeconds)).OrderBy(g => g.Key).Select(g => Latency.Of(g.Select(s => s.Milliseconds)).P99);

    /// <summary>The first few distinct reasons requests failed, with the turn each failed at.</summary>
    public IEnumerable<string> FirstFailures(int count) =>
        Samples.Where(s => s.Failure is not null).Select(s => $"{s.Turn}: {s.Failure}").Distinct(StringComparer.Ordinal).Take(count);
}
