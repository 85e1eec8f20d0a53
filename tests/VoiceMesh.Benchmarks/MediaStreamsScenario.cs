using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Streaming;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.MediaStreams;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// <c>media-streams</c>: N concurrent streams at Twilio's pace (50 frames/s each, speech bursts and silence) for S seconds
/// through the gateway and YARP to MediaStreams with its VAD running, against a baseline WebSocket echo server driven the
/// same way in the same run. Only the gateway and MediaStreams run (the services these frames never reach would only
/// take cores from them). Streams start 20 a second and each lasts the ramp, a warm-up minute and S seconds, so for S
/// seconds after the warm-up all N are open at once; the service's frame processing latency (p50/p99, arrival to
/// processed) is taken over that window, from the service's own latency counts read at its start and end, and over the
/// whole run (warm-up included) beside it. Also reports frames dropped (whole run), the gateway's and the service's
/// resident memory; the acceptance is all N open, window p99 under 20 ms and no drops.
/// </summary>
internal sealed class MediaStreamsScenario : IScenario
{
    /// <summary>How far inside the all-open stretch the window starts and ends (the last stream connecting, the first ending).</summary>
    private static readonly TimeSpan WindowMargin = TimeSpan.FromSeconds(2);

    /// <summary>Streams start this far apart (20 a second).</summary>
    private static readonly TimeSpan StartSpacing = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long every stream runs before the window opens, so the window sees the service as it runs in production,
    /// past its first minute: 25 s after start, with 250 neural-VAD streams, the JIT's tier-1 recompilation of the hot
    /// paths still takes 11-17% of MediaStreams' CPU (perf), on cores the streams need.
    /// </summary>
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(60);

    /// <summary>The manifest's name of the service under test, the only one started beside the gateway.</summary>
    private const string MediaStreamsService = "mediastreams";

    public required string Name { get; init; }

    public required int Streams { get; init; }

    public required int Seconds { get; init; }

    /// <summary>The VAD every stream asks for (its <c>&lt;Stream&gt;</c> custom parameter <c>vad</c>).</summary>
    public required VadKind Vad { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        // Streams start 20 a second; each lasts the ramp, the warm-up and the measured seconds, so all of them are open
        // together for the measured window (the last one has started and warmed up, the first has not ended).
        var ramp = StartSpacing * Streams;
        var length = ramp + Warmup + TimeSpan.FromSeconds(Seconds);
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Streams} streams x 50 frames/s ({Streams * 50} frames/s) for {Seconds} s once all are open (ramp {ramp.TotalSeconds:F0} s, warm-up {Warmup.TotalSeconds:F0} s), "
            + $"{Vad.ToString().ToLowerInvariant()} VAD, baseline echo server first");
        var script = new AudioScript([.. Enumerable.Range(0, (int)Math.Ceiling(length.TotalSeconds / 4)).SelectMany(_ => new ScriptStep[] { new SpeechBurst(2000), new Silence(2000) })]);

        var (baselineFrames, baselineSeconds, baselineRss) = await Baseline(script, cancellationToken);
        Console.WriteLine($"  baseline echo            {baselineFrames} frames echoed in {baselineSeconds:F1} s ({baselineFrames / baselineSeconds:F0}/s), "
            + $"bench process VmRSS {baselineRss / 1048576.0:F0} MB (the echo server runs in it)");

        await using var mesh = await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString, callsInstances: 0, otherServices: [MediaStreamsService]);
        var media = new UriBuilder(mesh.Gateway.BaseAddress) { Scheme = "ws", Path = "/twilio/media" }.Uri;
        var parameters = new Dictionary<string, string> { [VoiceActivityFactory.Parameter] = Vad.ToString().ToLowerInvariant() };
        var clock = Stopwatch.StartNew();
        var streaming = Task.WhenAll(Enumerable.Range(0, Streams).Select(async i =>
        {
            await Task.Delay(StartSpacing * i, cancellationToken);
            return await MediaStreamClient.Run(new MediaStreamTarget
            {
                StreamUrl = "wss://voice.example.test/twilio/media", ConnectTo = media, AuthToken = Mesh.AuthToken, AccountSid = Mesh.AccountSid,
                CallSid = Mesh.NewCallSid(), CustomParameters = parameters,
            }, script, cancellationToken);
        }));
        await Task.Delay(ramp + Warmup + WindowMargin - clock.Elapsed, cancellationToken);
        var opened = await Live(mesh, cancellationToken);
        var windowStart = clock.Elapsed;
        await Task.Delay(ramp + Warmup + TimeSpan.FromSeconds(Seconds) - WindowMargin - clock.Elapsed, cancellationToken);
        var closing = await Live(mesh, cancellationToken);
        var window = clock.Elapsed - windowStart;
        var runs = await streaming;
        var elapsed = clock.Elapsed.TotalSeconds;
        var live = await Live(mesh, cancellationToken);
        var gatewayRss = ResidentMemory.Read(mesh.Gateway.ProcessId ?? 0, "VmHWM") ?? 0;
        var serviceRss = ResidentMemory.Read(mesh.Services["mediastreams"].ProcessId ?? 0, "VmHWM") ?? 0;
        var sent = runs.Sum(r => r.SentFrames);
        var counts = Difference(closing.FrameLatencyCounts, opened.FrameLatencyCounts);
        var (windowFrames, p99) = MediaStreamsMetrics.Percentile(counts, 0.99);
        var p50 = MediaStreamsMetrics.Percentile(counts, 0.5).Percentile;
        var windowRate = windowFrames / window.TotalSeconds;
        var allOpen = Math.Min(opened.Connections, closing.Connections);
        Console.WriteLine($"  mediastreams window      {window.TotalSeconds:F1} s with {opened.Connections} then {closing.Connections} streams open: {windowFrames} frames "
            + $"({windowRate:F0}/s), latency p50 {p50:F1} ms p99 {p99:F1} ms");
        Console.WriteLine($"  mediastreams whole run   {sent} frames sent in {elapsed:F1} s ({sent / elapsed:F0}/s), {live.FramesProcessed} processed, "
            + $"latency p50 {live.FrameLatencyP50Ms:F1} ms p99 {live.FrameLatencyP99Ms:F1} ms, dropped {live.FramesDropped}");
        Console.WriteLine($"  peak VmHWM               gateway {gatewayRss / 1048576.0:F0} MB, mediastreams {serviceRss / 1048576.0:F0} MB; "
            + $"throughput ratio to the echo baseline {sent / elapsed / (baselineFrames / baselineSeconds):F2}; load average {Machine.LoadAverage()}");
        // The service logs JSON: the model's "Silero VAD model {Path} loaded" (not "could not be loaded: ...").
        var sileroRan = mesh.Services["mediastreams"].OutputLines.Any(l => l.Contains("\"Message\":\"Silero VAD model", StringComparison.Ordinal) && l.Contains(" loaded\",", StringComparison.Ordinal));
        if (Vad == VadKind.Silero && !sileroRan)
        {
            Console.WriteLine("  the service did not load the Silero VAD model (run deploy/local/install.sh, then build): its streams ran the energy VAD");
            foreach (var line in mesh.Services["mediastreams"].OutputLines.Where(l => l.Contains("Silero", StringComparison.Ordinal)).Take(3))
            {
                Console.WriteLine($"    mediastreams: {line}");
            }
        }

        var passed = p99 < 20 && live.FramesDropped == 0 && allOpen == Streams && runs.All(r => r.SentFrames == script.FrameCount) && (Vad != VadKind.Silero || sileroRan);
        return new ScenarioResult(Name, passed, $"{allOpen} streams open, p99 {p99:F1} ms, dropped {live.FramesDropped}")
        {
            Figures =
            [
                new Figure("frame latency p99", p99, "ms") { Target = new FigureTarget(TargetKind.AtMost, 20) },
                new Figure("frame latency p50", p50, "ms"),
                new Figure("frame latency p99, whole run (ramp and warm-up included)", live.FrameLatencyP99Ms, "ms"),
                new Figure("streams open in the window", allOpen, "count") { Target = new FigureTarget(TargetKind.AtLeast, Streams) },
                new Figure("window frame rate", windowRate, "frames/s"),
                new Figure("frames dropped", live.FramesDropped, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                new Figure("frame rate", sent / elapsed, "frames/s") { Baseline = "echo frame rate" },
                new Figure("echo frame rate", baselineFrames / baselineSeconds, "frames/s"),
                new Figure("peak RSS gateway", gatewayRss / 1048576.0, "MB"),
                new Figure("peak RSS mediastreams", serviceRss / 1048576.0, "MB"),
                new Figure("peak RSS benchmark (echo server)", baselineRss / 1048576.0, "MB"),
            ],
        };
    }

    private static async Task<LiveStreamsResponse> Live(Mesh mesh, CancellationToken cancellationToken) =>
        (await mesh.Client.GetFromJsonAsync<LiveStreamsResponse>("/api/media-streams/live", cancellationToken))!;

    /// <summary>The frames counted per latency bucket between two readings of the service's counts.</summary>
    private static List<LatencyCount> Difference(IReadOnlyList<LatencyCount> later, IReadOnlyList<LatencyCount> earlier)
    {
        var before = earlier.ToDictionary(c => c.UpToMs, c => c.Frames);
        return [.. later
            .Select(c => c with { Frames = c.Frames - before.GetValueOrDefault(c.UpToMs) })
            .Where(c => c.Frames > 0)];
    }

    /// <summary>The same streams against a Kestrel WebSocket server that echoes every message: what the machine does without VoiceMesh.</summary>
    private async Task<(long Frames, double Seconds, long Rss)> Baseline(AudioScript script, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        long echoed = 0;
        app.UseWebSockets();
        app.Map("/echo", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return;
                }

                Interlocked.Increment(ref echoed);
                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, context.RequestAborted);
            }
        });
        await app.StartAsync(cancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Streams).Select(async i =>
        {
            await Task.Delay(StartSpacing * i, cancellationToken);
            await MediaStreamClient.Run(new MediaStreamTarget
            {
                StreamUrl = $"ws://{address.Authority}/echo", AuthToken = "baseline", AccountSid = Mesh.AccountSid, CallSid = Mesh.NewCallSid(),
            }, script, cancellationToken);
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        await app.StopAsync(cancellationToken);
        return (Interlocked.Read(ref echoed), seconds, ResidentMemory.Read(Environment.ProcessId, "VmHWM") ?? 0);
    }
}
