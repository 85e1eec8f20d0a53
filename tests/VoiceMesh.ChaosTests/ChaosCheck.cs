using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.ChaosTests;

/// <summary>
/// After the last fault and the end of the traffic: every lifecycle against what was sent and acknowledged. Each
/// acknowledged callback must be in Calls' event store exactly once (its call and sequence number), each accepted
/// placement placed and its call ended (or failed), with one call at the simulator at most, and every <c>_error</c>
/// queue empty or explained by the faults its messages carry. Waits (bounded) for the mesh to settle first.
/// </summary>
internal static class ChaosCheck
{
    private static readonly string[] EndedStatuses = ["completed", "busy", "failed", "no-answer", "canceled"];

    public static async Task<ChaosReport> Run(ChaosHarness harness, DateTimeOffset startedAt, TimeSpan traffic)
    {
        var settling = Stopwatch.StartNew();
        var deliveries = harness.Callbacks.Deliveries.ToList();
        var callbacks = deliveries.GroupBy(d => d.Key).ToList();
        var acknowledged = callbacks.Where(c => c.Any(d => d.Acknowledged)).Select(c => c.Key).ToHashSet();
        var callSids = callbacks.Select(c => c.Key.CallSid).Distinct().ToList();
        var stored = await UntilApplied(harness, callSids, acknowledged, harness.Profile.SettleLimit);

        var placements = harness.Placements.Requests.ToList();
        var open = await UntilEnded(harness.Mesh, [.. placements.Where(p => p.Accepted)], harness.Profile.SettleLimit - settling.Elapsed);
        // The calls the simulator created and ended (every placed call has ended by now), by the number they dialled; its
        // request log would not do: a create the client gave up on while the simulator held it is logged, though it created nothing.
        var creates = harness.Mesh.Simulator.Control.CallPrices
            .DistinctBy(c => c.CallSid)
            .CountBy(c => c.To)
            .ToDictionary();
        var settled = settling.Elapsed;

        var examples = new List<string>();
        var phases = new List<PhaseCounts>();
        foreach (var phase in harness.Timeline.Phases.Distinct())
        {
            var inPhase = callbacks.Where(c => c.First().Phase == phase).ToList();
            var lost = inPhase.Where(c => acknowledged.Contains(c.Key) && stored[c.Key] == 0).ToList();
            var duplicated = inPhase.Where(c => stored[c.Key] > 1).ToList();
            var placed = placements.Where(p => p.Phase == phase).ToList();
            var stuck = placed.Where(p => open.ContainsKey(p.RequestId)).ToList();
            var twice = placed.Where(p => creates.GetValueOrDefault(p.To) > 1).ToList();
            examples.AddRange(lost.Take(3).Select(c => $"lost ({phase}): {c.Key.CallSid} #{c.Key.SequenceNumber}, deliveries {Describe(c)}"));
            examples.AddRange(duplicated.Take(3).Select(c => $"duplicated ({phase}): {c.Key.CallSid} #{c.Key.SequenceNumber} stored {stored[c.Key]} times, deliveries {Describe(c)}"));
            examples.AddRange(stuck.Take(3).Select(p => $"stuck ({phase}): {p.RequestId} to {p.To}: {open[p.RequestId]}"));
            examples.AddRange(twice.Take(3).Select(p => $"duplicate call ({phase}): {p.RequestId} to {p.To}: {creates[p.To]} calls created"));
            examples.AddRange(inPhase.Where(c => !acknowledged.Contains(c.Key) && !c.Any(d => d.Refused)).Take(3)
                .Select(c => $"not acknowledged ({phase}): {c.Key.CallSid} #{c.Key.SequenceNumber}, deliveries {Describe(c)}"));
            examples.AddRange(inPhase.Where(c => c.Any(d => d.Refused)).Take(3).Select(c => $"refused ({phase}): {c.Key.CallSid} #{c.Key.SequenceNumber}, deliveries {Describe(c)}"));
            examples.AddRange(placed.Where(p => p.Refused).Take(3).Select(p => $"placement refused ({phase}): {p.RequestId} to {p.To}: {p.LastAnswer}"));
            phases.Add(new PhaseCounts
            {
                Phase = phase,
                Callbacks = inPhase.Count,
                Deliveries = inPhase.Sum(c => c.Count()),
                Attempts = inPhase.Sum(c => c.Sum(d => d.Attempts)),
                Acknowledged = inPhase.Count(c => acknowledged.Contains(c.Key)),
                NotAcknowledged = inPhase.Count(c => !acknowledged.Contains(c.Key) && !c.Any(d => d.Refused)),
                Refused = inPhase.Count(c => c.Any(d => d.Refused)),
                Lost = lost.Count,
                Duplicated = duplicated.Sum(c => stored[c.Key] - 1),
                Placements = placed.Count,
                PlacementsAccepted = placed.Count(p => p.Accepted),
                PlacementsNotAccepted = placed.Count(p => !p.Accepted && !p.Refused),
                PlacementsRefused = placed.Count(p => p.Refused),
                PlacementsStuck = stuck.Count,
                DuplicateCalls = twice.Sum(p => creates[p.To] - 1),
            });
        }

        return new ChaosReport
        {
            Profile = harness.Profile.Name,
            StartedAt = startedAt,
            Traffic = traffic,
            Settled = settled,
            Faults = harness.Timeline.Faults,
            Phases = phases,
            ErrorQueues = await ErrorQueues(harness.Queues, harness.Mesh.Client),
            Examples = examples,
        };
    }

    /// <summary>
    /// How many reports Calls stored for each callback sent, polled until every acknowledged one is stored or the limit
    /// passes; a callback with none stored counts 0.
    /// </summary>
    private static async Task<Dictionary<(string CallSid, int SequenceNumber), int>> UntilApplied(
        ChaosHarness harness, IReadOnlyCollection<string> callSids, IReadOnlySet<(string CallSid, int SequenceNumber)> acknowledged, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var stored = (await harness.Ledger.Applied(callSids, CancellationToken.None))
                .CountBy(a => (a.CallSid, a.SequenceNumber ?? -1))
                .ToDictionary();
            if (acknowledged.All(stored.ContainsKey) || waited.Elapsed > limit)
            {
                return harness.Callbacks.Deliveries.Select(d => d.Key).Distinct().ToDictionary(key => key, key => stored.GetValueOrDefault(key));
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// Polls the accepted placements until each has failed, or was placed and its call ended, or the limit passes;
    /// returns the others with the last state seen.
    /// </summary>
    private static async Task<Dictionary<string, string>> UntilEnded(Mesh mesh, IReadOnlyList<PlacementRequest> accepted, TimeSpan limit)
    {
        var open = accepted.ToDictionary(p => p.RequestId, _ => "not looked at");
        var waited = Stopwatch.StartNew();
        do
        {
            using var gate = new SemaphoreSlim(8);
            var states = await Task.WhenAll(open.Keys.ToList().Select(async requestId =>
            {
                await gate.WaitAsync();
                try
                {
                    return (RequestId: requestId, State: await StateOf(mesh, requestId));
                }
                finally
                {
                    gate.Release();
                }
            }));
            foreach (var (requestId, state) in states)
            {
                if (state is null)
                {
                    open.Remove(requestId);
                }
                else
                {
                    open[requestId] = state;
                }
            }

            if (open.Count > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        while (open.Count > 0 && waited.Elapsed < limit);

        return open;
    }

    /// <summary>Null when the placement failed or its call ended; else what it is at.</summary>
    private static async Task<string?> StateOf(Mesh mesh, string requestId)
    {
        try
        {
            if (await mesh.GetPlacement(requestId) is not { } placement)
            {
                return "no placement stored";
            }

            var status = placement.GetProperty("status").GetString();
            if (status is "failed" or "rejected")
            {
                return null;
            }

            if (status != "placed" || placement.GetProperty("callSid").GetString() is not { } callSid)
            {
                return $"placement {status}";
            }

            var call = await mesh.GetCall(callSid);
            var callStatus = call?.GetProperty("status").GetString();
            return callStatus is not null && EndedStatuses.Contains(callStatus) ? null : $"call {callSid} {callStatus ?? "not stored"}";
        }
        catch (HttpRequestException ex)
        {
            return $"unreadable: {ex.Message}";
        }
        catch (TaskCanceledException)
        {
            return "unreadable: no answer in 30 s";
        }
    }

    /// <summary>
    /// Every non-empty <c>_error</c> queue with the faults its messages carry, read through the gateway's dead-letter
    /// API (AMQP, not the management API's <c>get</c>, which a quorum queue with a single active consumer refuses).
    /// </summary>
    private static async Task<IReadOnlyList<ErrorQueue>> ErrorQueues(VirtualHostQueues queues, HttpClient api)
    {
        await Task.Delay(VirtualHostQueues.StatisticsInterval);
        var errors = new List<ErrorQueue>();
        foreach (var (name, depth) in await queues.Depths(CancellationToken.None))
        {
            if (name.EndsWith("_error", StringComparison.Ordinal) && depth is not 0)
            {
                errors.Add(new ErrorQueue(name, depth ?? -1, await Faults(api, name)));
            }
        }

        return errors;
    }

    /// <summary>Each fault (exception type and first line of its message) with how many messages of the queue carry it.</summary>
    private static async Task<string> Faults(HttpClient api, string queue)
    {
        using var response = await api.GetAsync(new Uri($"/api/admin/dead-letters/{Uri.EscapeDataString(queue)}?limit=1000", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
        {
            return $"unreadable through the dead-letter API ({(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()})";
        }

        var read = await response.Content.ReadFromJsonAsync<JsonElement>();
        return string.Join(", ", read.GetProperty("messages").EnumerateArray()
            .Select(m => $"{m.GetProperty("exceptionType").GetString() ?? "no fault headers"}: {m.GetProperty("exceptionMessage").GetString()?.Split('\n')[0]}")
            .CountBy(fault => fault)
            .OrderByDescending(c => c.Value)
            .Select(c => $"{c.Value} x {c.Key}"));
    }

    private static string Describe(IEnumerable<CallbackDelivery> deliveries) =>
        string.Join("; ", deliveries.Select(d => $"{d.Kind} x{d.Attempts} last {d.LastAnswer}"));
}
