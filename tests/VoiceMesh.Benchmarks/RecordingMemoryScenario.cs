using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// The Recordings service's memory while it archives one 500 MB recording (the simulator generates the media while it
/// sends it): the process's resident set (<c>VmRSS</c>) sampled every 100 ms from <c>/proc</c>, and its
/// high-water mark (<c>VmHWM</c>) at the end. Passes when the peak stays under 300 MB and the blob reads back with the
/// simulator's size and SHA-256.
/// </summary>
internal sealed class RecordingMemoryScenario : IScenario
{
    private const long Megabyte = 1024 * 1024;
    private const long SizeBytes = 500 * Megabyte;
    private const long WarmupBytes = Megabyte;
    private const long LimitBytes = 300 * Megabyte;

    /// <summary>How long the one archive may take; the scenario's own deadline ends it sooner.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    public required string Name { get; init; }

    public required BackendKind Backend { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: one recording of {SizeBytes / Megabyte} MB archived into the {Backends.Name(Backend)} backend, "
            + $"the Recordings process's VmRSS sampled every {ResidentMemory.Interval.TotalMilliseconds:F0} ms, after one {WarmupBytes / Megabyte} MB warm-up recording");
        return await RecordingsMesh.Run(Name, Backend, infrastructure, (mesh, backend) => Measure(mesh, backend, cancellationToken), cancellationToken);
    }

    private async Task<ScenarioResult> Measure(Mesh mesh, ArchiveBackend backend, CancellationToken cancellationToken)
    {
        await using var ledger = ArchiveLedger.Of(mesh);
        var simulator = new SimulatorRecordings(mesh);
        var pid = mesh.Services["recordings"].ProcessId ?? throw new InvalidOperationException("The Recordings process is not running.");

        var warmup = await simulator.Start(1, WarmupBytes, reported: true, cancellationToken);
        await simulator.Stop(warmup, cancellationToken);
        var warmed = await ledger.WaitForAll([warmup[0].RecordingSid], LedgerEntry.DeletedAtTwilio, Patience, cancellationToken);
        Console.WriteLine($"  warm-up                  {warmed.Count}/1 archived and deleted at Twilio");

        var recording = (await simulator.Start(1, SizeBytes, reported: true, cancellationToken))[0];
        var before = ResidentMemory.Read(pid, "VmRSS") ?? 0;
        var sampler = ResidentMemory.Sample(pid);
        IReadOnlyDictionary<string, DateTimeOffset> archived;
        IReadOnlyDictionary<string, DateTimeOffset> stopped;
        try
        {
            stopped = await simulator.Stop([recording], cancellationToken);
            archived = await ledger.WaitForAll([recording.RecordingSid], LedgerEntry.Archived, Patience, cancellationToken);
        }
        finally
        {
            await sampler.DisposeAsync();
        }

        var highWater = ResidentMemory.Read(pid, "VmHWM") ?? 0;
        var (peak, peakAt) = sampler.Peak;
        Console.WriteLine($"  VmRSS before             {Mb(before)} (load average {Machine.LoadAverage()})");
        Console.WriteLine($"  VmRSS peak sampled       {Mb(peak)}, {peakAt.TotalSeconds:F1} s after sampling began ({sampler.Samples} samples)");
        Console.WriteLine($"  VmHWM at the end         {Mb(highWater)} (the process's peak since it started)");
        double? archiveSeconds = null;
        if (archived.TryGetValue(recording.RecordingSid, out var at))
        {
            var took = at - stopped[recording.RecordingSid];
            archiveSeconds = took.TotalSeconds;
            Console.WriteLine($"  archived                 {took.TotalSeconds:F1} s from the stop ({SizeBytes / Megabyte / took.TotalSeconds:F1} MB/s)");
        }
        else
        {
            Console.WriteLine($"  archived                 no, within {Patience.TotalMinutes:F0} min");
        }

        var problem = await Verify(mesh, simulator, backend, recording.RecordingSid, cancellationToken);
        Console.WriteLine($"  verified                 {problem ?? "yes: the blob read back, the read model and the simulator's media agree on size and SHA-256"}");
        if (problem is not null)
        {
            RecordingsMesh.PrintErrors(mesh);
        }

        var highest = Math.Max(peak, highWater);
        var passed = problem is null && highest < LimitBytes;
        Console.WriteLine($"  => {(passed ? "PASS" : "FAIL")} (peak {Mb(highest)}, limit {Mb(LimitBytes)})");
        return new ScenarioResult(Name, passed,
            $"peak RSS {Mb(highest)} (sampled {Mb(peak)}, VmHWM {Mb(highWater)}; limit {Mb(LimitBytes)}), {Mb(before)} before; blob {(problem is null ? "verified" : "not verified")}")
        {
            Figures =
            [
                new Figure("peak RSS Recordings", (double)highest / Megabyte, "MB") { Target = new FigureTarget(TargetKind.AtMost, (double)LimitBytes / Megabyte) },
                new Figure("RSS Recordings before", (double)before / Megabyte, "MB"),
                .. archiveSeconds is { } seconds ? [new Figure("archive time", seconds, "s")] : Array.Empty<Figure>(),
                new Figure("blobs failing verification", problem is null ? 0 : 1, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                .. ResidentMemory.PeakFigures(("gateway", mesh.Gateway.ProcessId)),
            ],
        };
    }

    /// <summary>What is wrong with the archived recording; null when the API, its blob and the simulator's media agree.</summary>
    private static async Task<string?> Verify(
        Mesh mesh, SimulatorRecordings simulator, ArchiveBackend backend, string recordingSid, CancellationToken cancellationToken)
    {
        using var response = await mesh.Client.GetAsync(new Uri($"/api/recordings/{recordingSid}", UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var model = response.IsSuccessStatusCode ? JsonSerializer.Deserialize<JsonElement>(body) : default;
        if (model.ValueKind != JsonValueKind.Object || model.GetProperty("status").GetString() != "archived")
        {
            return $"not archived ({(int)response.StatusCode} {body})";
        }

        if (simulator.CompletedDownloads(recordingSid) is not [.., var media])
        {
            return "the simulator never sent the whole media";
        }

        var stored = await backend.Digest(new Uri(model.GetProperty("blobUri").GetString()!), cancellationToken);
        var reported = new BlobDigest(model.GetProperty("sizeBytes").GetInt64(), model.GetProperty("sha256").GetString()!);
        var sent = new BlobDigest(media.ContentLength ?? -1, media.Sha256 ?? "");
        return stored == reported && stored == sent && stored.SizeBytes == SizeBytes
            ? null
            : $"the blob holds {stored.SizeBytes} bytes, {stored.Sha256}; the read model says {reported.SizeBytes}, {reported.Sha256}; the simulator sent {sent.SizeBytes}, {sent.Sha256}";
    }

    private static string Mb(long bytes) => $"{(double)bytes / Megabyte:F1} MB";
}
