using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.Benchmarks;

/// <summary>Spacing of consecutive successful creates, in milliseconds.</summary>
internal sealed record IntervalStats(double Min, double Median, double P95, double Max)
{
    public static IntervalStats Of(IReadOnlyList<DateTimeOffset> times)
    {
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).Order().ToList();
        return gaps.Count == 0
            ? new IntervalStats(0, 0, 0, 0)
            : new IntervalStats(gaps[0], gaps[gaps.Count / 2], gaps[(int)Math.Ceiling(gaps.Count * 0.95) - 1], gaps[^1]);
    }
}

/// <summary>The Calls creates of a set of numbers, as the simulator's request log saw them.</summary>
internal sealed record PlacementFigures(
    int Created,
    int RateLimited,
    int NumbersRateLimited,
    int MostRateLimited,
    int CreatedOnce,
    int Duplicated,
    int Missing,
    double PerSecond,
    TimeSpan Span,
    IntervalStats Intervals,
    int Pauses,
    TimeSpan PausedFor)
{
    /// <summary>Successful creates (201) per second: (n - 1) over the time from the first to the last.</summary>
    public static PlacementFigures Of(IReadOnlyList<RecordedRequest> requests, IReadOnlyList<string> numbers)
    {
        var wanted = numbers.ToHashSet(StringComparer.Ordinal);
        var creates = requests.Where(r => IsCreate(r) && r.Form.TryGetValue("To", out var to) && to.Any(wanted.Contains)).ToList();
        var created = creates.Where(r => r.StatusCode == 201).OrderBy(r => r.Time).ToList();
        var perNumber = created.GroupBy(r => r.Form["To"][0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var rateLimited = creates.Where(r => r.StatusCode == 429).GroupBy(r => r.Form["To"][0], StringComparer.Ordinal).Select(g => g.Count()).ToList();
        var pauses = created.Zip(created.Skip(1), (a, b) => b.Time - a.Time).Where(gap => gap >= TimeSpan.FromSeconds(1)).ToList();
        var span = created.Count > 1 ? created[^1].Time - created[0].Time : TimeSpan.Zero;
        return new PlacementFigures(
            created.Count,
            creates.Count(r => r.StatusCode == 429),
            rateLimited.Count,
            rateLimited.DefaultIfEmpty(0).Max(),
            perNumber.Values.Count(c => c == 1),
            perNumber.Values.Count(c => c > 1),
            numbers.Count(n => !perNumber.ContainsKey(n)),
            span > TimeSpan.Zero ? (created.Count - 1) / span.TotalSeconds : 0,
            span,
            IntervalStats.Of([.. created.Select(r => r.Time)]),
            pauses.Count,
            pauses.Aggregate(TimeSpan.Zero, (sum, gap) => sum + gap));
    }

    /// <summary>
    /// Command-to-Twilio latency: from each number's API request (<paramref name="requested"/>) to its first create the
    /// simulator answered 201 (the simulator runs in this process, on the same clock), p50, p99 and max. Calls requested
    /// all at once wait for their turn at the configured calls per second, so their latency is mostly that queue; the
    /// warm-up calls, a few at once, show the path itself.
    /// </summary>
    public static IReadOnlyList<Figure> CommandToTwilio(string label, IReadOnlyList<RecordedRequest> requests, IReadOnlyDictionary<string, DateTimeOffset> requested)
    {
        var latencies = requests.Where(r => IsCreate(r) && r.StatusCode == 201 && r.Form.TryGetValue("To", out var to) && requested.ContainsKey(to[0]))
            .GroupBy(r => r.Form["To"][0], StringComparer.Ordinal)
            .Select(g => (g.Min(r => r.Time) - requested[g.Key]).TotalMilliseconds)
            .Order()
            .ToList();
        if (latencies.Count == 0)
        {
            return [];
        }

        double At(double quantile) => latencies[Math.Clamp((int)Math.Ceiling(quantile * latencies.Count) - 1, 0, latencies.Count - 1)];
        return
        [
            new Figure($"command to Twilio ({label}) p50", At(0.5), "ms"),
            new Figure($"command to Twilio ({label}) p99", At(0.99), "ms"),
            new Figure($"command to Twilio ({label}) max", latencies[^1], "ms"),
        ];
    }

    /// <summary>Every Calls create the simulator answered with 429.</summary>
    public static int RateLimitedCreates(IReadOnlyList<RecordedRequest> requests) => requests.Count(r => IsCreate(r) && r.StatusCode == 429);

    private static bool IsCreate(RecordedRequest request) =>
        request.Method == "POST" && request.Path.EndsWith("/Calls.json", StringComparison.Ordinal);
}
