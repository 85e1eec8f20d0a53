using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// The Recordings service's archive throughput beside a plain copy between the same endpoints, in one run: (a) the
/// benchmark itself copies <see cref="Recordings"/> recordings from the simulator's media URLs (authenticated GET,
/// streamed) into the backend with the IO or SDK the service's backend uses, as many at once as the service's archive
/// consumer takes (its prefetch, read from RabbitMQ); (b) the simulator completes as many other recordings, whose
/// callbacks go through the gateway, and the Recordings service archives them. Passes when the service reaches at
/// least half the copy's throughput and every blob of both halves reads back with the simulator's size and SHA-256.
/// With a report, the gateway's and the Recordings process's counters are collected over the service's half
/// (<see cref="CounterCapture"/>).
/// </summary>
internal sealed class RecordingArchiveScenario : IReportingScenario
{
    public const int DefaultRecordings = 200;
    public const int MaxRecordings = 2000;
    public const int DefaultSizeMegabytes = 1;
    public const int MaxSizeMegabytes = 64;

    /// <summary>The archive consumer's queue: its consumer's prefetch is the service's parallelism.</summary>
    private const string ArchiveQueue = "archive-recording";

    private const double RatioLimit = 0.5;
    private const int WarmupRecordings = 3;
    private const long Megabyte = 1024 * 1024;

    /// <summary>How long the service may archive nothing more before the rest count as never archived.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public required string Name { get; init; }

    public required int Recordings { get; init; }

    public required int SizeMegabytes { get; init; }

    public required BackendKind Backend { get; init; }

    private long SizeBytes => SizeMegabytes * Megabyte;

    /// <summary>How long the counters of the service's half run: its recordings archived at 10 per second or faster.</summary>
    private TimeSpan ServiceCounters => TimeSpan.FromSeconds(Math.Clamp(Recordings / 10.0, 10, 120));

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, BenchmarkRun run, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Recordings} recordings of {SizeMegabytes} MB (1 MB = 1,048,576 bytes) into the {Backends.Name(Backend)} backend, "
            + $"copied by the benchmark, then archived by the Recordings service, after {WarmupRecordings} warm-up recordings each");
        return await RecordingsMesh.Run(Name, Backend, infrastructure, (mesh, backend) => Measure(infrastructure, run, mesh, backend, cancellationToken), cancellationToken);
    }

    private async Task<ScenarioResult> Measure(
        TestInfrastructure infrastructure, BenchmarkRun run, Mesh mesh, ArchiveBackend backend, CancellationToken cancellationToken)
    {
        await using var ledger = ArchiveLedger.Of(mesh);
        var simulator = new SimulatorRecordings(mesh);
        var parallelism = await ArchiveConcurrency(infrastructure, mesh, cancellationToken);
        Console.WriteLine($"  parallelism              {parallelism}: the prefetch of the {ArchiveQueue} consumer, read from RabbitMQ; the endpoint sets no "
            + "concurrency limit, so MassTransit runs as many messages at once as it prefetches");
        Console.WriteLine($"  plain copy               authenticated GET of {{RecordingUrl}}.wav (streamed) into a {backend.CopyDescription}");
        Console.WriteLine($"  PostgreSQL               {RecordingsMesh.PostgresDurability}");

        var preparing = Stopwatch.StartNew();
        var warmups = await simulator.Start(WarmupRecordings, SizeBytes, reported: true, cancellationToken);
        var copyWarmups = await simulator.Start(WarmupRecordings, SizeBytes, reported: false, cancellationToken);
        var copies = await simulator.Start(Recordings, SizeBytes, reported: false, cancellationToken);
        var archives = await simulator.Start(Recordings, SizeBytes, reported: true, cancellationToken);
        Console.WriteLine($"  prepared                 {2 * (Recordings + WarmupRecordings)} live recordings at the simulator in {preparing.Elapsed.TotalSeconds:F1} s");

        using var http = MediaClient(parallelism);
        await simulator.Stop([.. warmups, .. copyWarmups, .. copies], cancellationToken);
        await Copy(http, simulator, backend, copyWarmups, parallelism, cancellationToken);
        // Until the service's last step (deleting Twilio's copy), so it is idle while the plain copy runs.
        var warmed = await ledger.WaitForAll([.. warmups.Select(r => r.RecordingSid)], LedgerEntry.DeletedAtTwilio, Patience, cancellationToken);
        Console.WriteLine($"  warm-up                  {WarmupRecordings} copied, {warmed.Count}/{WarmupRecordings} archived and deleted at Twilio by the service");
        var meter = CpuMeter.For(
            new Dictionary<string, Uri>(StringComparer.Ordinal)
            {
                ["gateway"] = mesh.Gateway.BaseAddress,
                ["Recordings"] = mesh.Services["recordings"].BaseAddress,
            },
            infrastructure.PostgresConnectionString);

        var copyStart = meter?.Take();
        var (copyTime, copied) = await Copy(http, simulator, backend, copies, parallelism, cancellationToken);
        var copyEnd = meter?.Take();
        var baseline = new Throughput(Recordings, SizeBytes, copyTime, Latency.Of(copied.Select(c => c.Elapsed.TotalMilliseconds)));
        var baselineCpu = PrintPhase("baseline (plain copy)", baseline, "per recording, GET to last byte stored", "copied recording", copyStart, copyEnd);

        var sids = archives.Select(r => r.RecordingSid).ToHashSet(StringComparer.Ordinal);
        IReadOnlyDictionary<string, DateTimeOffset> stopped, archived;
        CpuSnapshot? serviceStart, serviceEnd;
        await using (await CounterCapture.Start(
            run, [("gateway", mesh.Gateway.ProcessId), ("Recordings", mesh.Services["recordings"].ProcessId)], ServiceCounters))
        {
            serviceStart = meter?.Take();
            stopped = await simulator.Stop(archives, cancellationToken);
            archived = await ledger.WaitForAll(sids, LedgerEntry.Archived, Patience, cancellationToken);
            serviceEnd = meter?.Take();
        }

        var first = stopped.Values.Min();
        var serviceTime = archived.Count > 0 ? archived.Values.Max() - first : TimeSpan.Zero;
        var service = new Throughput(
            archived.Count, SizeBytes, serviceTime, Latency.Of(archived.Select(a => (a.Value - stopped[a.Key]).TotalMilliseconds)));
        var serviceCpu = PrintPhase("service (archive)", service, "per recording, its stop to its RecordingArchived", "archived recording", serviceStart, serviceEnd);
        var requested = await ledger.Reached(sids, LedgerEntry.ArchiveRequested, cancellationToken);
        PrintStages(stopped, simulator.CallbacksAnswered(sids), requested, simulator, archived);

        var copyCheck = await VerifyCopies(simulator, backend, copied, cancellationToken);
        var archiveCheck = await VerifyArchives(mesh, simulator, backend, archives, cancellationToken);
        var result = Report(baseline, service, copyCheck, archiveCheck, mesh, [.. serviceCpu, .. baselineCpu]);
        var ratio = baseline.PerSecond > 0 ? service.PerSecond / baseline.PerSecond : 0;
        return ratio >= RatioLimit
            ? result
            : result with
            {
                Bounds =
                [
                    $"ratio service/plain copy {ratio:F2} (target >= {RatioLimit}): the service's "
                        + CpuMeter.Bound("archived recording", serviceStart, serviceEnd, service.Recordings)
                        + "; the plain copy's " + CpuMeter.Bound("copied recording", copyStart, copyEnd, baseline.Recordings),
                ],
            };
    }

    /// <summary>
    /// The prefetch of the archive consumer as RabbitMQ shows it; MassTransit consumes as many messages at once when
    /// no concurrency limit is set.
    /// </summary>
    private static async Task<int> ArchiveConcurrency(TestInfrastructure infrastructure, Mesh mesh, CancellationToken cancellationToken)
    {
        var vhost = Uri.EscapeDataString(new Uri(mesh.RabbitMqUri).AbsolutePath.Trim('/'));
        using var management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var consumers = await management.GetFromJsonAsync<JsonElement>($"api/consumers/{vhost}", cancellationToken);
            foreach (var consumer in consumers.EnumerateArray())
            {
                if (consumer.GetProperty("queue").GetProperty("name").GetString() == ArchiveQueue)
                {
                    return consumer.GetProperty("prefetch_count").GetInt32();
                }
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"RabbitMQ shows no consumer on {ArchiveQueue} after 30 s.");
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>An HTTP client as the service's media client: Basic authentication with the account, connections kept.</summary>
    private static HttpClient MediaClient(int parallelism)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = parallelism, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            Timeout = TimeSpan.FromMinutes(2),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Mesh.AccountSid}:{Mesh.AuthToken}")));
        return http;
    }

    /// <summary>
    /// The plain copy: each recording's media streamed from the simulator into the backend, <paramref name="parallelism"/>
    /// at once; returns the time from the first request to the last byte stored, and each copy.
    /// </summary>
    private static async Task<(TimeSpan Elapsed, IReadOnlyList<StoredCopy> Copies)> Copy(
        HttpClient http, SimulatorRecordings simulator, ArchiveBackend backend, IReadOnlyList<LiveRecording> recordings, int parallelism,
        CancellationToken cancellationToken)
    {
        var copies = new StoredCopy[recordings.Count];
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, recordings.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var recording = recordings[i];
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(simulator.MediaUri(recording.RecordingSid), HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var blob = await backend.Copy($"{Mesh.AccountSid}/{recording.CallSid}/{recording.RecordingSid}.wav", body, ct);
            copies[i] = new StoredCopy(recording.RecordingSid, blob, Stopwatch.GetElapsedTime(started));
        });
        return (clock.Elapsed, copies);
    }

    /// <summary>Prints a phase's throughput, latency and CPU; returns its CPU per recording as report figures.</summary>
    private static IReadOnlyList<Figure> PrintPhase(string label, Throughput figures, string latency, string item, CpuSnapshot? cpu, CpuSnapshot? now)
    {
        Console.WriteLine($"  {label,-24} {figures.Recordings} recordings in {figures.Elapsed.TotalSeconds:F2} s: {figures.PerSecond:F1} recordings/s, "
            + $"{figures.MegabytesPerSecond:F1} MB/s (load average {Machine.LoadAverage()})");
        Console.WriteLine($"  {"",-24} {latency}: p50 {figures.Latency.P50:F0} / p95 {figures.Latency.P95:F0} / max {figures.Latency.Max:F0} ms");
        if (cpu is not null && now is not null)
        {
            Console.WriteLine($"  {"",-24} cpu: {CpuMeter.Describe(cpu, now)}");
            Console.WriteLine($"  {"",-24} cpu per recording: {CpuMeter.PerItem(cpu, now, figures.Recordings)}");
            return [.. CpuMeter.PerItemFigures(item, cpu, now, figures.Recordings)];
        }

        return [];
    }

    /// <summary>
    /// Where each recording's archive latency went, as times since its stop: the gateway's answer to its callback and
    /// the media request (the simulator's logs), the stored decision to archive and the stored archive (the service's
    /// event store, PostgreSQL's transaction time), all on this machine's clock. The decision can be stored before the
    /// simulator has read the gateway's answer.
    /// </summary>
    private static void PrintStages(
        IReadOnlyDictionary<string, DateTimeOffset> stopped,
        IReadOnlyDictionary<string, DateTimeOffset> answered,
        IReadOnlyDictionary<string, DateTimeOffset> requested,
        SimulatorRecordings simulator,
        IReadOnlyDictionary<string, DateTimeOffset> archived)
    {
        var traced = archived.Keys
            .Where(sid => answered.ContainsKey(sid) && requested.ContainsKey(sid) && simulator.CompletedDownloads(sid).Count > 0)
            .Select(sid => (Stop: stopped[sid], Answered: answered[sid], Requested: requested[sid], Media: simulator.CompletedDownloads(sid)[^1].Time, Archived: archived[sid]))
            .ToList();
        Console.WriteLine($"  stages ({traced.Count} traced)       since each recording's stop; callbacks answered by the gateway {Since(answered.Values, stopped.Values.Min())}");
        Stage("callback answered 2xx", traced.Select(t => t.Answered - t.Stop));
        Stage("archive decided", traced.Select(t => t.Requested - t.Stop));
        Stage("media requested", traced.Select(t => t.Media - t.Stop));
        Stage("archived", traced.Select(t => t.Archived - t.Stop));

        static void Stage(string label, IEnumerable<TimeSpan> spans)
        {
            var latency = Latency.Of(spans.Select(s => s.TotalMilliseconds));
            Console.WriteLine($"    {label,-22} p50 {latency.P50,6:F0} / p95 {latency.P95,6:F0} / max {latency.Max,6:F0} ms");
        }

        static string Since(IEnumerable<DateTimeOffset> times, DateTimeOffset origin) =>
            times.Any() ? $"{(times.Min() - origin).TotalSeconds:F2} to {(times.Max() - origin).TotalSeconds:F2} s after the first stop" : "never";
    }

    /// <summary>Reads back every plain copy and compares it with the media the simulator sent for it.</summary>
    private async Task<Verification> VerifyCopies(
        SimulatorRecordings simulator, ArchiveBackend backend, IReadOnlyList<StoredCopy> copies, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var copy in copies)
        {
            var stored = await backend.Digest(copy.Blob, cancellationToken);
            problems.AddRange(Compare(copy.RecordingSid, stored, simulator.CompletedDownloads(copy.RecordingSid)));
        }

        return new Verification(copies.Count, problems);
    }

    /// <summary>
    /// Asks the API for every recording the service should have archived and reads its blob back: status
    /// <c>archived</c>, and the blob's bytes, the read model's size and SHA-256 and the simulator's media all agree.
    /// </summary>
    private async Task<Verification> VerifyArchives(
        Mesh mesh, SimulatorRecordings simulator, ArchiveBackend backend, IReadOnlyList<LiveRecording> recordings, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var recording in recordings)
        {
            var sid = recording.RecordingSid;
            using var response = await mesh.Client.GetAsync(new Uri($"/api/recordings/{sid}", UriKind.Relative), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var model = response.IsSuccessStatusCode ? JsonSerializer.Deserialize<JsonElement>(body) : default;
            if (model.ValueKind != JsonValueKind.Object || model.GetProperty("status").GetString() != "archived")
            {
                problems.Add($"{sid}: not archived ({(int)response.StatusCode} {body})");
                continue;
            }

            var stored = await backend.Digest(new Uri(model.GetProperty("blobUri").GetString()!), cancellationToken);
            var reported = new BlobDigest(model.GetProperty("sizeBytes").GetInt64(), model.GetProperty("sha256").GetString()!);
            if (reported != stored)
            {
                problems.Add($"{sid}: the read model says {reported.SizeBytes} bytes, {reported.Sha256}; the blob holds {stored.SizeBytes}, {stored.Sha256}");
            }

            problems.AddRange(Compare(sid, stored, simulator.CompletedDownloads(sid)));
        }

        return new Verification(recordings.Count, problems);
    }

    /// <summary>What is wrong with a stored blob against the simulator's media; nothing when they agree.</summary>
    private IEnumerable<string> Compare(string recordingSid, BlobDigest stored, IReadOnlyList<TwilioSimulator.Recordings.MediaDownload> downloads)
    {
        if (downloads.Count == 0)
        {
            yield return $"{recordingSid}: the simulator never sent its whole media";
            yield break;
        }

        var media = downloads[^1];
        if (media.ContentLength != SizeBytes || stored.SizeBytes != media.ContentLength || stored.Sha256 != media.Sha256)
        {
            yield return $"{recordingSid}: stored {stored.SizeBytes} bytes, {stored.Sha256}; the simulator sent {media.ContentLength} bytes, {media.Sha256}";
        }
    }

    private ScenarioResult Report(Throughput baseline, Throughput service, Verification copies, Verification archives, Mesh mesh, IReadOnlyList<Figure> cpu)
    {
        var ratio = baseline.PerSecond > 0 ? service.PerSecond / baseline.PerSecond : 0;
        var allArchived = service.Recordings == Recordings;
        Console.WriteLine($"  ratio service/baseline   {ratio:F2} (limit {RatioLimit:F1}; {service.PerSecond:F1} / {baseline.PerSecond:F1} recordings/s)");
        Console.WriteLine($"  verified                 plain copies {copies.Passed}/{copies.Count}, archives {archives.Passed}/{archives.Count} "
            + "(size and SHA-256 of every blob read back equal the simulator's media; the read model's equal the blob's)");
        foreach (var problem in copies.Problems.Concat(archives.Problems).Take(5))
        {
            Console.WriteLine($"    {problem}");
        }

        if (!allArchived || archives.Problems.Count > 0)
        {
            RecordingsMesh.PrintErrors(mesh);
        }

        var passed = allArchived && ratio >= RatioLimit && copies.Problems.Count == 0 && archives.Problems.Count == 0;
        Console.WriteLine($"  => {(passed ? "PASS" : "FAIL")}");
        var summary = $"service {service.PerSecond:F1} recordings/s ({service.MegabytesPerSecond:F1} MB/s) vs plain copy {baseline.PerSecond:F1}/s "
            + $"({baseline.MegabytesPerSecond:F1} MB/s), ratio {ratio:F2} (limit {RatioLimit:F1}); archive latency p50 {service.Latency.P50:F0} / "
            + $"p95 {service.Latency.P95:F0} ms; {service.Recordings}/{Recordings} archived, verified {copies.Passed + archives.Passed}/{copies.Count + archives.Count}";
        return new ScenarioResult(Name, passed, summary)
        {
            Figures =
            [
                new Figure("service archive rate", service.PerSecond, "recordings/s") { Baseline = "plain copy rate" },
                new Figure("plain copy rate", baseline.PerSecond, "recordings/s"),
                new Figure("ratio service/plain copy", ratio, "ratio") { Target = new FigureTarget(TargetKind.AtLeast, RatioLimit) },
                new Figure("service throughput", service.MegabytesPerSecond, "MB/s") { Baseline = "plain copy throughput" },
                new Figure("plain copy throughput", baseline.MegabytesPerSecond, "MB/s"),
                new Figure("archive latency p50", service.Latency.P50, "ms"),
                new Figure("archive latency p95", service.Latency.P95, "ms"),
                new Figure("recordings never archived (lost)", Recordings - service.Recordings, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                new Figure("blobs failing verification", copies.Count - copies.Passed + archives.Count - archives.Passed, "count")
                {
                    Target = new FigureTarget(TargetKind.AtMost, 0),
                },
                .. cpu,
                .. ResidentMemory.PeakFigures(("gateway", mesh.Gateway.ProcessId), ("Recordings", mesh.Services["recordings"].ProcessId)),
            ],
        };
    }

    /// <summary>One plain copy: the recording, where it was stored, and how long it took from request to last byte stored.</summary>
    private sealed record StoredCopy(string RecordingSid, Uri Blob, TimeSpan Elapsed);

    /// <summary>How many recordings moved in how long, and each one's latency.</summary>
    private sealed record Throughput(int Recordings, long SizeBytes, TimeSpan Elapsed, Latency Latency)
    {
        public double PerSecond => Elapsed > TimeSpan.Zero ? Recordings / Elapsed.TotalSeconds : 0;

        public double MegabytesPerSecond => PerSecond * SizeBytes / Megabyte;
    }

    /// <summary>How many blobs were checked and what was wrong with them.</summary>
    private sealed record Verification(int Count, IReadOnlyList<string> Problems)
    {
        public int Passed => Count - Problems.Select(p => p[..p.IndexOf(':', StringComparison.Ordinal)]).Distinct(StringComparer.Ordinal).Count();
    }
}
