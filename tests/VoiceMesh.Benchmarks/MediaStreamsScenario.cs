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
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.MediaStreams;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// <c>media-streams</c>: N concurrent streams at Twilio's pace (50 frames/s each, speech bursts and silence) for S seconds
/// through the gateway and YARP to MediaStreams with its VAD running, against a baseline WebSocket echo server driven the
/// same way in the same run (streams start 20 a second). Reports the service's frame processing latency (p50/p99, arrival to processed), frames
/// dropped, and the gateway's and the service's resident memory; the acceptance is p99 under 20 ms and no drops.
/// </summary>
internal sealed class MediaStreamsScenario : IScenario
{
    public required string Name { get; init; }

    public required int Streams { get; init; }

    public required int Seconds { get; init; }

    /// <summary>The VAD every stream asks for (its <c>&lt;Stream&gt;</c> custom parameter <c>vad</c>).</summary>
    public required VadKind Vad { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Streams} streams x 50 frames/s ({Streams * 50} frames/s) for {Seconds} s, {Vad.ToString().ToLowerInvariant()} VAD, baseline echo server first");
        var script = new AudioScript([.. Enumerable.Range(0, Math.Max(1, Seconds / 4)).SelectMany(_ => new ScriptStep[] { new SpeechBurst(2000), new Silence(2000) })]);

        var (baselineFrames, baselineSeconds, baselineRss) = await Baseline(script, cancellationToken);
        Console.WriteLine($"  baseline echo            {baselineFrames} frames echoed in {baselineSeconds:F1} s ({baselineFrames / baselineSeconds:F0}/s), "
            + $"bench process VmRSS {baselineRss / 1048576.0:F0} MB (the echo server runs in it)");

        await using var mesh = await Mesh.Start(await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString);
        var media = new UriBuilder(mesh.Gateway.BaseAddress) { Scheme = "ws", Path = "/twilio/media" }.Uri;
        var parameters = new Dictionary<string, string> { [VoiceActivityFactory.Parameter] = Vad.ToString().ToLowerInvariant() };
        var clock = Stopwatch.StartNew();
        var runs = await Task.WhenAll(Enumerable.Range(0, Streams).Select(async i =>
        {
            await Task.Delay(i * 50, cancellationToken);
            return await MediaStreamClient.Run(new MediaStreamTarget
            {
                StreamUrl = "wss://voice.example.test/twilio/media", ConnectTo = media, AuthToken = Mesh.AuthToken, AccountSid = Mesh.AccountSid,
                CallSid = Mesh.NewCallSid(), CustomParameters = parameters,
            }, script, cancellationToken);
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var live = await mesh.Client.GetFromJsonAsync<JsonElement>("/api/media-streams/live", cancellationToken);
        var gatewayRss = ResidentMemory.Read(mesh.Gateway.ProcessId ?? 0, "VmHWM") ?? 0;
        var serviceRss = ResidentMemory.Read(mesh.Services["mediastreams"].ProcessId ?? 0, "VmHWM") ?? 0;
        var dropped = live.GetProperty("framesDropped").GetInt64();
        var sent = runs.Sum(r => r.SentFrames);
        var p99 = live.GetProperty("frameLatencyP99Ms").GetDouble();
        Console.WriteLine($"  mediastreams             {sent} frames sent in {elapsed:F1} s ({sent / elapsed:F0}/s), {live.GetProperty("framesProcessed").GetInt64()} processed, "
            + $"latency p50 {live.GetProperty("frameLatencyP50Ms").GetDouble():F1} ms p99 {p99:F1} ms, dropped {dropped}");
        Console.WriteLine($"  peak VmHWM               gateway {gatewayRss / 1048576.0:F0} MB, mediastreams {serviceRss / 1048576.0:F0} MB; "
            + $"throughput ratio to the echo baseline {sent / elapsed / (baselineFrames / baselineSeconds):F2}; load average {Machine.LoadAverage()}");
        var sileroRan = mesh.Services["mediastreams"].OutputLines.Any(l => l.TrimEnd().EndsWith(" loaded", StringComparison.Ordinal) && l.Contains("Silero VAD model", StringComparison.Ordinal));
        if (Vad == VadKind.Silero && !sileroRan)
        {
            Console.WriteLine("  the service did not load the Silero VAD model (run deploy/local/install.sh, then build): its streams ran the energy VAD");
        }

        var passed = p99 < 20 && dropped == 0 && runs.All(r => r.SentFrames == script.FrameCount) && (Vad != VadKind.Silero || sileroRan);
        return new ScenarioResult(Name, passed, $"p99 {p99:F1} ms, dropped {dropped}")
        {
            Figures =
            [
                new Figure("frame latency p99", p99, "ms") { Target = new FigureTarget(TargetKind.AtMost, 20) },
                new Figure("frame latency p50", live.GetProperty("frameLatencyP50Ms").GetDouble(), "ms"),
                new Figure("frames dropped", dropped, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                new Figure("frame rate", sent / elapsed, "frames/s") { Baseline = "echo frame rate" },
                new Figure("echo frame rate", baselineFrames / baselineSeconds, "frames/s"),
                new Figure("peak RSS gateway", gatewayRss / 1048576.0, "MB"),
                new Figure("peak RSS mediastreams", serviceRss / 1048576.0, "MB"),
                new Figure("peak RSS benchmark (echo server)", baselineRss / 1048576.0, "MB"),
            ],
        };
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
            await Task.Delay(i * 50, cancellationToken);
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
