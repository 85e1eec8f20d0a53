using VoiceMesh.Benchmarks.Baselines;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// How fast Calls turns a burst of status callbacks into call lifecycles, and that it loses and duplicates none: the
/// four callbacks of <see cref="Calls"/> new calls (<see cref="StatusBurst"/>, shuffled across the whole burst, each
/// posted once) through the gateway on <see cref="Concurrency"/> connections, then waiting until Calls' event store
/// holds a report for every one and every call's read model is <c>completed</c>. Times come from the event store:
/// each <c>CallStatusReported</c> carries PostgreSQL's timestamp of the transaction that stored it (and the call's
/// inline read model), compared with the wall-clock time the benchmark posted its webhook (one machine, one clock; the
/// warm-up prints their offset). That timestamp is the transaction's start, so a Calls that stores a batch per
/// transaction shows each event up to one transaction earlier than it became visible. Figures: the time from the last 204 to the last call's <c>completed</c> stored
/// (negative when Calls kept up with the burst), events applied per second from the first post to the last event
/// stored, beside the database ceiling (<see cref="DatabaseCeiling"/>: raw Npgsql appending the same events in batches
/// of 100 per transaction, measured first on the idle machine), the post-to-stored latency p50/p99, and the
/// correctness counts: lost (a status posted with no report of its call and sequence number), duplicated (one stored
/// more than once), unmatched (a report no webhook of the burst explains) and calls not completed. It observes Calls
/// only through HTTP and the database, so it runs against any Calls that stores these events.
/// Passes with nothing lost, duplicated, unmatched or left incomplete, no ingress errors, the last call completed
/// within <see cref="DrainLimitSeconds"/> of the last ack, and the memory targets.
/// </summary>
internal sealed class DrainScenario : IReportingScenario
{
    private const int Concurrency = 64;
    private const double DrainLimitSeconds = 5;

    /// <summary>Events applied per second against raw Npgsql appending the same events 100 to a transaction.</summary>
    private const double DatabaseRatioTarget = 0.5;

    /// <summary>How long the event store may show no progress before the drain is given up.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The longest drain waited for: a default burst of 10,000 applied at ~85 events/s, a sixth of Calls applying one message at a time.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(120);

    /// <summary>How long the counters are collected: a default burst posted and drained at the targets takes about 10 s.</summary>
    private static readonly TimeSpan CountedFor = TimeSpan.FromSeconds(15);

    public required string Name { get; init; }

    /// <summary>Calls in the burst; four callbacks each.</summary>
    public required int Calls { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, BenchmarkRun run, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Calls} calls x 4 status callbacks, shuffled, posted once each through the gateway on {Concurrency} connections, "
            + $"until every call is completed in Calls' read model; after {WebhookMesh.WarmupCalls} warm-up calls and the database ceiling");
        return await WebhookMesh.Run(Name, infrastructure, mesh => Measure(mesh, infrastructure, run, cancellationToken), cancellationToken);
    }

    private async Task<(IReadOnlyList<Figure>, string, IReadOnlyList<string>)> Measure(WebhookMesh mesh, TestInfrastructure infrastructure, BenchmarkRun run, CancellationToken cancellationToken)
    {
        var warmup = await mesh.WarmUp(cancellationToken);
        var burst = StatusBurst.Build(Calls, seed: 3000, TimeProvider.System.GetUtcNow());
        Console.WriteLine($"  burst                    {burst.Describe()}");
        var (ceiling, ceilingTime) = await DatabaseCeiling.Append(infrastructure.PostgresConnectionString, warmup.Webhooks, burst.Webhooks, cancellationToken);
        Console.WriteLine($"  database ceiling         {burst.Webhooks.Count} rows in {ceilingTime.TotalSeconds:F2} s: {ceiling:F0} rows/s "
            + $"({DatabaseCeiling.BatchSize} per transaction, one connection)");

        using var poster = await WebhookPoster.Open(mesh.Mesh.Gateway.BaseAddress, Concurrency, cancellationToken);
        // The runtime's counters of the gateway and Calls over the burst and its drain go beside the report.
        await using var counters = await mesh.CaptureCounters(run, CountedFor);
        var from = mesh.Meter?.Take();
        var posted = await poster.Closed(burst.Webhooks, Concurrency, cancellationToken);
        Console.WriteLine($"  burst via the gateway    {posted.Line()}");
        var seen = await mesh.Ledger.WaitFor(burst.CallSids, burst.Webhooks.Count, completed: true, Patience, DrainLimit, cancellationToken);
        var to = mesh.Meter?.Take();
        var applied = await mesh.Ledger.Applied(burst.CallSids, cancellationToken);
        var completed = await mesh.Ledger.CompletedCount(burst.CallSids, cancellationToken);
        var drain = DrainFigures.Of(burst, posted, applied);
        Console.WriteLine(seen is { } at
            ? $"  drained                  the poll saw every call completed {(at - posted.LastAck).TotalSeconds:F2} s after the last ack"
            : $"  NOT drained              no progress for {Patience.TotalSeconds:F0} s or {DrainLimit.TotalSeconds:F0} s in all: "
                + $"{completed}/{Calls} calls completed, {applied.Count} reports stored");
        Console.WriteLine($"  stored                   {applied.Count} reports; lost {drain.Lost}, duplicated {drain.Duplicated}, unmatched {drain.Unmatched}; "
            + $"post to stored p50 {drain.LatencyP50:F0} / p99 {drain.LatencyP99:F0} ms");
        if (from is not null && to is not null)
        {
            Console.WriteLine($"  {"",-24} cpu from the first post to the drain's end: {CpuMeter.Describe(from, to)}");
        }

        List<Figure> figures =
        [
            new Figure("database-ceiling.rate", ceiling, "events/s"),
            new Figure("drain.ingress-rate", posted.PerSecond, "webhooks/s"),
            new Figure("drain.ingress-errors", posted.Errors, "webhooks") { Target = new FigureTarget(TargetKind.AtMost, 0) },
            new Figure("drain.last-ack-to-last-completed", drain.LastAckToLastCompleted, "s")
            {
                Target = new FigureTarget(TargetKind.AtMost, DrainLimitSeconds),
            },
            new Figure("drain.applied-rate", drain.AppliedPerSecond, "events/s") { Baseline = "database-ceiling.rate" },
            new Figure("drain.database-ratio", ceiling > 0 ? drain.AppliedPerSecond / ceiling : 0, "x")
            {
                Baseline = "database-ceiling.rate", Target = new FigureTarget(TargetKind.AtLeast, DatabaseRatioTarget),
            },
            new Figure("drain.post-to-stored-p50", drain.LatencyP50, "ms"),
            new Figure("drain.post-to-stored-p99", drain.LatencyP99, "ms"),
            new Figure("drain.lost", drain.Lost, "webhooks") { Target = new FigureTarget(TargetKind.AtMost, 0) },
            new Figure("drain.duplicated", drain.Duplicated, "events") { Target = new FigureTarget(TargetKind.AtMost, 0) },
            new Figure("drain.unmatched", drain.Unmatched, "events") { Target = new FigureTarget(TargetKind.AtMost, 0) },
            new Figure("drain.not-completed", Calls - completed, "calls") { Target = new FigureTarget(TargetKind.AtMost, 0) },
            .. WebhookMesh.CpuFigures("drain", from, to, burst.Webhooks.Count),
        ];
        var summary = $"last call completed {drain.LastAckToLastCompleted:F2} s after the last ack (limit {DrainLimitSeconds:F0} s); "
            + $"{drain.AppliedPerSecond:F0} events/s applied ({drain.AppliedPerSecond / ceiling:F2} of raw Npgsql's {ceiling:F0}/s); "
            + $"post to stored p99 {drain.LatencyP99:F0} ms; lost {drain.Lost}, duplicated {drain.Duplicated}, not completed {Calls - completed}";
        // The drain shares the two cores with the burst's ingress (the gateway, RabbitMQ, the load generator): a missed
        // target is bounded by the CPU the mesh spends per webhook, from the first post to the drain's end.
        return (figures, summary, WebhookMesh.Missed(figures, _ => WebhookMesh.CpuBound("drain", figures)));
    }

    /// <summary>
    /// The burst as posted against what the event store holds: each posted status matched to its reports by call sid
    /// and sequence number.
    /// </summary>
    private sealed record DrainFigures(
        int Lost, int Duplicated, int Unmatched, double LatencyP50, double LatencyP99, double LastAckToLastCompleted, double AppliedPerSecond)
    {
        public static DrainFigures Of(StatusBurst burst, LoadRun run, IReadOnlyList<AppliedReport> applied)
        {
            var stored = applied.ToLookup(a => (a.CallSid, a.SequenceNumber));
            var posted = burst.Webhooks.Select((webhook, i) => (Webhook: webhook, Ack: run.Acks[i])).ToList();
            var matched = posted.Where(p => stored.Contains((p.Webhook.CallSid, p.Webhook.SequenceNumber))).ToList();
            var latencies = matched
                .Select(p => (stored[(p.Webhook.CallSid, p.Webhook.SequenceNumber)].Min(a => a.StoredAt) - p.Ack.SentAt).TotalMilliseconds)
                .Order()
                .ToList();
            var sent = posted.Select(p => (p.Webhook.CallSid, (int?)p.Webhook.SequenceNumber)).ToHashSet();
            var lastCompleted = applied.Where(a => a.SequenceNumber == StatusBurst.CompletedSequence).Select(a => a.StoredAt).DefaultIfEmpty(run.LastAck).Max();
            var firstPost = run.Acks.Min(a => a.SentAt);
            var lastStored = applied.Select(a => a.StoredAt).DefaultIfEmpty(firstPost).Max();
            return new DrainFigures(
                Lost: posted.Count - matched.Count,
                Duplicated: stored.Where(g => sent.Contains(g.Key)).Sum(g => g.Count() - 1),
                Unmatched: applied.Count(a => !sent.Contains((a.CallSid, a.SequenceNumber))),
                LatencyP50: LoadRun.Rank(latencies, 0.50),
                LatencyP99: LoadRun.Rank(latencies, 0.99),
                LastAckToLastCompleted: (lastCompleted - run.LastAck).TotalSeconds,
                AppliedPerSecond: lastStored > firstPost ? applied.Count / (lastStored - firstPost).TotalSeconds : 0);
        }
    }
}
