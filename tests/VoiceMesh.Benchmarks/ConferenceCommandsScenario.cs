using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Twilio.Rest.Api.V2010.Account.Conference;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// Command-to-Twilio latency of the Conferences service: <see cref="Rooms"/> rooms of <see cref="PerRoom"/> participants
/// held open at the simulator, then <c>MuteParticipant</c>/<c>UnmuteParticipant</c> published on the bus at
/// <see cref="Rate"/> per second for <see cref="Measured"/>, each participant muted and unmuted in turn. A command's
/// latency runs from its publish to the simulator receiving the Participants update it leads to (the service stores
/// the decision and its consumer sends the update right after the commit; the outbox's copy follows). The baseline is the
/// same update sent straight to the simulator through the Twilio SDK at the same rate: what Twilio itself costs here.
/// Passes when the service's p99 is under 100 ms and every command reached the simulator. With a report, the Conferences
/// process's counters are collected over the measured phase (<see cref="CounterCapture"/>).
/// </summary>
internal sealed class ConferenceCommandsScenario : IReportingScenario
{
    private const double P99LimitMs = 100;
    private const int Rooms = 10;
    private const int PerRoom = 5;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>How long the counters run past the commands: the last updates' arrival and the outbox's copies.</summary>
    private static readonly TimeSpan CounterTail = TimeSpan.FromSeconds(3);

    public required string Name { get; init; }

    public required double Rate { get; init; }

    public required TimeSpan Measured { get; init; }

    /// <summary>The baseline's run: what the simulator costs is steady, so a third of the measured time, 5 to 10 s.</summary>
    private TimeSpan BaselineDuration => TimeSpan.FromSeconds(Math.Clamp(Measured.TotalSeconds / 3, 5, 10));

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, BenchmarkRun run, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Rooms} rooms of {PerRoom} participants, mute/unmute at {Rate}/s for {Measured.TotalSeconds:F0} s on the bus, "
            + $"after the same Participants updates straight to the simulator for {BaselineDuration.TotalSeconds:F0} s (baseline)");
        var starting = Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString,
            serviceSettings: new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        Mesh? mesh = null;
        IBusControl? bus = null;
        try
        {
            mesh = await starting.WaitAsync(cancellationToken);
            var participants = await OpenRooms(mesh, cancellationToken);
            Console.WriteLine($"  rooms                    {participants.Select(p => p.ConferenceSid).Distinct().Count()} open, {participants.Count} participants joined");
            bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(mesh.RabbitMqUri), h => h.PublisherConfirmation = true));
            await bus.StartAsync(cancellationToken);

            // Each participant's next command is the opposite of its state, so every command changes it at Twilio.
            var muted = participants.ToDictionary(p => p.CallSid, _ => false, StringComparer.Ordinal);
            var baseline = await Direct(mesh, participants, muted, Rate, BaselineDuration, cancellationToken);
            await Commands(mesh, bus, participants, muted, Math.Max(1, Rate / 2), TimeSpan.FromSeconds(3), cancellationToken);
            var conferences = mesh.Services["conferences"].ProcessId;
            Latency service;
            await using (await CounterCapture.Start(run, [("Conferences", conferences)], Measured + CounterTail))
            {
                service = await Commands(mesh, bus, participants, muted, Rate, Measured, cancellationToken);
            }

            return Report(service, baseline, [.. ResidentMemory.PeakFigures(("Conferences", conferences))]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or JsonException)
        {
            Console.WriteLine($"  FAIL: {ex.Message}");
            return new ScenarioResult(Name, false, ex.GetType().Name);
        }
        finally
        {
            if (bus is not null)
            {
                await bus.StopAsync(CancellationToken.None);
            }

            await PlacementScenario.Settle(starting);
            if (mesh is not null)
            {
                await mesh.DisposeAsync();
            }
        }
    }

    /// <summary>Opens the rooms through the API and waits until every participant joined.</summary>
    private static async Task<List<(string ConferenceSid, string CallSid)>> OpenRooms(Mesh mesh, CancellationToken cancellationToken)
    {
        var names = Enumerable.Range(0, Rooms).Select(r => $"bench-{r}").ToList();
        foreach (var (name, r) in names.Select((n, r) => (n, r)))
        {
            (await mesh.Client.PostAsJsonAsync("/api/conferences", new { friendlyName = name }, cancellationToken)).EnsureSuccessStatusCode();
            for (var i = 0; i < PerRoom; i++)
            {
                var to = $"+1415559{r:D2}{i:D2}";
                mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, RingSeconds = 1 });
                (await mesh.Client.PostAsJsonAsync($"/api/conferences/{name}/participants", new { to, from = "+15005550006" }, cancellationToken)).EnsureSuccessStatusCode();
            }
        }

        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var joined = new List<(string, string)>();
            foreach (var name in names)
            {
                var list = await mesh.Client.GetFromJsonAsync<JsonElement>($"/api/conferences?name={name}", cancellationToken);
                if (list.GetArrayLength() == 0)
                {
                    continue;
                }

                var sid = list[0].GetProperty("conferenceSid").GetString()!;
                var room = await mesh.Client.GetFromJsonAsync<JsonElement>($"/api/conferences/{sid}", cancellationToken);
                joined.AddRange(room.GetProperty("participants").EnumerateArray()
                    .Where(p => p.GetProperty("status").GetString() == "joined")
                    .Select(p => (sid, p.GetProperty("callSid").GetString()!)));
            }

            if (joined.Count == Rooms * PerRoom)
            {
                return joined;
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"The rooms did not fill within {Patience}");
    }

    /// <summary>
    /// Publishes mute and unmute in turn over the participants at <paramref name="rate"/>, and measures each from its
    /// publish to the Participants update the simulator received for it (the n-th update of a call answers its n-th command).
    /// </summary>
    private static async Task<Latency> Commands(
        Mesh mesh, IBus bus, List<(string ConferenceSid, string CallSid)> participants, Dictionary<string, bool> muted, double rate, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        var sent = await Paced(rate, duration, participants, muted, async (participant, mute) =>
        {
            var at = DateTimeOffset.UtcNow;
            var requestId = Guid.NewGuid().ToString("N");
            object command = mute
                ? new MuteParticipant { RequestId = requestId, ConferenceSid = participant.ConferenceSid, CallSid = participant.CallSid, OccurredAt = at }
                : new UnmuteParticipant { RequestId = requestId, ConferenceSid = participant.ConferenceSid, CallSid = participant.CallSid, OccurredAt = at };
            await bus.Publish(command, command.GetType(), cancellationToken);
            return at;
        }, cancellationToken);
        return await Arrivals(mesh, sent, cancellationToken);
    }

    /// <summary>The baseline: the same updates sent by the Twilio SDK straight to the simulator.</summary>
    private static async Task<Latency> Direct(
        Mesh mesh, List<(string ConferenceSid, string CallSid)> participants, Dictionary<string, bool> muted, double rate, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        var twilio = mesh.Simulator.CreateTwilioClient();
        var sent = await Paced(rate, duration, participants, muted, async (participant, mute) =>
        {
            var at = DateTimeOffset.UtcNow;
            await ParticipantResource.UpdateAsync(participant.ConferenceSid, participant.CallSid, muted: mute, client: twilio);
            return at;
        }, cancellationToken);
        return await Arrivals(mesh, sent, cancellationToken);
    }

    /// <summary>
    /// Sends one command every 1/<paramref name="rate"/> seconds, round-robin over the participants, each participant's
    /// next command the opposite of its state in <paramref name="muted"/>; returns (call, muted, sent at) per command.
    /// </summary>
    private static async Task<List<(string CallSid, bool Muted, DateTimeOffset SentAt)>> Paced(
        double rate, TimeSpan duration, List<(string ConferenceSid, string CallSid)> participants, Dictionary<string, bool> muted,
        Func<(string ConferenceSid, string CallSid), bool, Task<DateTimeOffset>> send, CancellationToken cancellationToken)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();
        var sends = new List<Task<(string, bool, DateTimeOffset)>>();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            var participant = participants[i % participants.Count];
            var next = muted[participant.CallSid] = !muted[participant.CallSid];
            sends.Add(Send(participant, next));
        }

        return [.. await Task.WhenAll(sends)];

        async Task<(string, bool, DateTimeOffset)> Send((string ConferenceSid, string CallSid) participant, bool next) =>
            (participant.CallSid, next, await send(participant, next));
    }

    /// <summary>Waits until every command's update reached the simulator (or <see cref="Patience"/>), then its latencies.</summary>
    private static async Task<Latency> Arrivals(Mesh mesh, List<(string CallSid, bool Muted, DateTimeOffset SentAt)> sent, CancellationToken cancellationToken)
    {
        var since = sent.Min(s => s.SentAt);
        var deadline = DateTime.UtcNow + Patience;
        List<RecordedRequest> updates;
        do
        {
            updates = [.. mesh.Simulator.Control.Requests.Where(r => r.Time >= since && r.Method == "POST" && r.Form.ContainsKey("Muted"))];
            if (updates.Count >= sent.Count)
            {
                break;
            }

            await Task.Delay(100, cancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        var byCall = updates.GroupBy(u => u.Path[(u.Path.LastIndexOf('/') + 1)..].Replace(".json", "", StringComparison.Ordinal), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(u => u.Id).ToList(), StringComparer.Ordinal);
        var latencies = new List<double>();
        foreach (var call in sent.GroupBy(s => s.CallSid))
        {
            var arrived = byCall.GetValueOrDefault(call.Key) ?? [];
            latencies.AddRange(call.OrderBy(s => s.SentAt).Zip(arrived, (s, a) => (a.Time - s.SentAt).TotalMilliseconds));
        }

        if (latencies.Count < sent.Count)
        {
            Console.WriteLine($"  missing                  {sent.Count - latencies.Count} of {sent.Count} commands never reached the simulator");
        }

        return Latency.Of(latencies) with { Count = latencies.Count };
    }

    private ScenarioResult Report(Latency service, Latency baseline, IReadOnlyList<Figure> memory)
    {
        var expected = (int)(Rate * Measured.TotalSeconds);
        Console.WriteLine($"  service (bus → Twilio)   n={service.Count} p50 {service.P50:F1} ms, p95 {service.P95:F1} ms, p99 {service.P99:F1} ms, max {service.Max:F1} ms");
        Console.WriteLine($"  baseline (SDK → Twilio)  n={baseline.Count} p50 {baseline.P50:F1} ms, p95 {baseline.P95:F1} ms, p99 {baseline.P99:F1} ms, max {baseline.Max:F1} ms");
        var ratio = baseline.P99 > 0 ? service.P99 / baseline.P99 : 0;
        Console.WriteLine($"  ratio service/baseline   {ratio:F1} (p99)");
        var passed = service.P99 < P99LimitMs && service.Count == expected;
        var summary = $"p99 {service.P99:F1} ms at {Rate}/s (limit {P99LimitMs:F0} ms), baseline p99 {baseline.P99:F1} ms, {service.Count}/{expected} commands";
        Console.WriteLine($"  => {(passed ? "PASS" : "FAIL")} ({summary})");
        return new ScenarioResult(Name, passed, summary)
        {
            Figures =
            [
                new Figure("command p99", service.P99, "ms") { Target = new FigureTarget(TargetKind.AtMost, P99LimitMs), Baseline = "baseline p99" },
                new Figure("command p50", service.P50, "ms") { Baseline = "baseline p50" },
                new Figure("command max", service.Max, "ms"),
                new Figure("baseline p99", baseline.P99, "ms"),
                new Figure("baseline p50", baseline.P50, "ms"),
                new Figure("commands reaching Twilio", service.Count, "count") { Target = new FigureTarget(TargetKind.AtLeast, expected) },
                new Figure("commands lost", Math.Max(0, expected - service.Count), "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                .. memory,
            ],
        };
    }
}
