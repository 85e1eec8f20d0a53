using System.Text;
using System.Text.Json;

namespace VoiceMesh.ChaosTests;

/// <summary>
/// What was sent in one phase (the steady traffic, or one fault and its recovery) and what became of it. A callback
/// is counted once however many times it was delivered (<see cref="Deliveries"/>, <see cref="Attempts"/>).
/// </summary>
internal sealed record PhaseCounts
{
    public required string Phase { get; init; }

    /// <summary>Distinct status callbacks first sent in the phase.</summary>
    public int Callbacks { get; init; }

    /// <summary>Deliveries of them: each once, plus Twilio's retries (same token) and redeliveries (new token).</summary>
    public int Deliveries { get; init; }

    /// <summary>HTTP requests, the harness's retries of unacknowledged deliveries included.</summary>
    public int Attempts { get; init; }

    /// <summary>Callbacks answered 204 at least once: each must be applied exactly once.</summary>
    public int Acknowledged { get; init; }

    /// <summary>Callbacks never answered 204 within the retry period (neither must nor must not be applied).</summary>
    public int NotAcknowledged { get; init; }

    /// <summary>Callbacks answered with a 4xx: valid signed callbacks refused.</summary>
    public int Refused { get; init; }

    /// <summary>Acknowledged callbacks with no report in Calls' event store.</summary>
    public int Lost { get; init; }

    /// <summary>Reports stored more than once for one callback (the extra ones).</summary>
    public int Duplicated { get; init; }

    public int Placements { get; init; }

    public int PlacementsAccepted { get; init; }

    public int PlacementsNotAccepted { get; init; }

    public int PlacementsRefused { get; init; }

    /// <summary>Accepted placements not placed-and-ended (nor failed) after the settle period.</summary>
    public int PlacementsStuck { get; init; }

    /// <summary>Calls created at the simulator beyond one per placement.</summary>
    public int DuplicateCalls { get; init; }

    public static PhaseCounts Sum(string phase, IEnumerable<PhaseCounts> phases)
    {
        var all = phases.ToList();
        return new PhaseCounts
        {
            Phase = phase,
            Callbacks = all.Sum(p => p.Callbacks),
            Deliveries = all.Sum(p => p.Deliveries),
            Attempts = all.Sum(p => p.Attempts),
            Acknowledged = all.Sum(p => p.Acknowledged),
            NotAcknowledged = all.Sum(p => p.NotAcknowledged),
            Refused = all.Sum(p => p.Refused),
            Lost = all.Sum(p => p.Lost),
            Duplicated = all.Sum(p => p.Duplicated),
            Placements = all.Sum(p => p.Placements),
            PlacementsAccepted = all.Sum(p => p.PlacementsAccepted),
            PlacementsNotAccepted = all.Sum(p => p.PlacementsNotAccepted),
            PlacementsRefused = all.Sum(p => p.PlacementsRefused),
            PlacementsStuck = all.Sum(p => p.PlacementsStuck),
            DuplicateCalls = all.Sum(p => p.DuplicateCalls),
        };
    }
}

/// <summary>A non-empty <c>_error</c> queue and the faults its messages carry.</summary>
internal sealed record ErrorQueue(string Queue, long Messages, string Faults);

/// <summary>The chaos run's report: the faults injected, the counts per fault window and in total, the error queues.</summary>
internal sealed record ChaosReport
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public required string Profile { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required TimeSpan Traffic { get; init; }

    public required TimeSpan Settled { get; init; }

    public required IReadOnlyList<FaultRecord> Faults { get; init; }

    public required IReadOnlyList<PhaseCounts> Phases { get; init; }

    public required IReadOnlyList<ErrorQueue> ErrorQueues { get; init; }

    /// <summary>The first few lost, duplicated, refused or stuck requests, to start an investigation from.</summary>
    public required IReadOnlyList<string> Examples { get; init; }

    public PhaseCounts Total => PhaseCounts.Sum("total", Phases);

    /// <summary>Writes <c>chaos-report.md</c> and <c>chaos-report.json</c> into <paramref name="directory"/>; returns the Markdown file's path.</summary>
    public string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, "chaos-report.md");
        File.WriteAllText(markdown, ToMarkdown());
        File.WriteAllText(Path.Combine(directory, "chaos-report.json"), JsonSerializer.Serialize(new
        {
            Profile,
            StartedAt,
            TrafficSeconds = Seconds(Traffic),
            SettledSeconds = Seconds(Settled),
            Faults = Faults.Select(f => new
            {
                f.Kind,
                f.Name,
                f.Description,
                StartedAtSeconds = Seconds(f.StartedAt),
                DurationSeconds = Seconds(f.Duration),
                RecoverySeconds = f.RecoveredAfter is { } recovery ? Seconds(recovery) : (double?)null,
                f.Note,
            }),
            Phases,
            Total,
            ErrorQueues,
            Examples,
        }, Json));
        return markdown;
    }

    public string ToMarkdown()
    {
        var total = Total;
        var text = new StringBuilder();
        Line(text, $"# Chaos report ({Profile} profile)");
        Line(text);
        Line(text, $"Started {StartedAt:u}; traffic for {Seconds(Traffic):F0} s, then {Seconds(Settled):F0} s until every acknowledged request was applied "
            + "and every lifecycle ended (or the settle limit).");
        Line(text, $"**Lost {total.Lost}, duplicated {total.Duplicated}, stuck lifecycles {total.PlacementsStuck}, duplicate calls {total.DuplicateCalls}, "
            + $"refused {total.Refused + total.PlacementsRefused}.**");
        Line(text);
        Line(text, "## Faults injected");
        Line(text);
        Line(text, "| # | kind | fault | at (s) | lasted (s) | recovered after (s) | what | note |");
        Line(text, "|---|---|---|---|---|---|---|---|");
        foreach (var (fault, i) in Faults.Select((f, i) => (f, i + 1)))
        {
            var recovered = fault.RecoveredAfter is { } r ? $"{Seconds(r):F1}" : "not within the limit";
            Line(text, $"| {i} | {fault.Kind} | {fault.Name} | {Seconds(fault.StartedAt):F1} | {Seconds(fault.Duration):F1} | {recovered} | {fault.Description} | {fault.Note} |");
        }

        Line(text);
        Line(text, "## Requests per fault window");
        Line(text);
        Line(text, "A window is a fault from its injection to its recovery (requests first sent then); `steady` is the traffic between faults.");
        Line(text, "Callbacks are counted once each: deliveries include Twilio's retries and redeliveries, attempts the resends of unacknowledged ones.");
        Line(text);
        Line(text, "| window | callbacks | deliveries | attempts | acknowledged | not acknowledged | refused | lost | duplicated | placements | accepted | not accepted | stuck | duplicate calls |");
        Line(text, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var phase in Phases.Append(total))
        {
            Line(text, $"| {phase.Phase} | {phase.Callbacks} | {phase.Deliveries} | {phase.Attempts} | {phase.Acknowledged} | {phase.NotAcknowledged} | "
                + $"{phase.Refused} | {phase.Lost} | {phase.Duplicated} | {phase.Placements} | {phase.PlacementsAccepted} | {phase.PlacementsNotAccepted} | "
                + $"{phase.PlacementsStuck} | {phase.DuplicateCalls} |");
        }

        Line(text);
        Line(text, "## Error queues");
        Line(text);
        if (ErrorQueues.Count == 0)
        {
            Line(text, "Every `_error` queue is empty.");
        }

        foreach (var queue in ErrorQueues)
        {
            Line(text, $"- `{queue.Queue}`: {queue.Messages} messages; {queue.Faults}");
        }

        if (Examples.Count > 0)
        {
            Line(text);
            Line(text, "## Examples");
            Line(text);
            foreach (var example in Examples)
            {
                Line(text, $"- {example}");
            }
        }

        return text.ToString();
    }

    private static double Seconds(TimeSpan span) => Math.Round(span.TotalSeconds, 1);

    private static void Line(StringBuilder text, string line = "") => text.Append(line).Append('\n');
}
