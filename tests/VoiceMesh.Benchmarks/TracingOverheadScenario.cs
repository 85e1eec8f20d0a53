using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// What OpenTelemetry costs the gateway's webhook throughput: two gateways on one RabbitMQ virtual host, one with the
/// SDK switched off (<c>OTEL_SDK_DISABLED=true</c>), one as deployed (traces of every webhook, metrics and logs exported
/// over OTLP/HTTP to a collector, here a sink in this process that reads and discards them; the switched-off one is
/// given a collector path of its own, so any export from it would show). Signed call-status webhooks
/// from <see cref="Concurrency"/> senders go to one gateway at a time, after a warm-up of each, in rounds of two phases of
/// <see cref="Phase"/> whose order alternates (off-on, on-off, ...), so a host that speeds up or slows down during the run
/// weighs on both. Each round gives a ratio (with over without); passes when the median ratio is at least 0.9, no webhook
/// was refused, and the sink received exports only from the gateway with telemetry on.
/// </summary>
internal sealed class TracingOverheadScenario : IScenario
{
    private const double MaxOverhead = 0.10;
    private const int Rounds = 4;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    public required string Name { get; init; }

    public required int Concurrency { get; init; }

    public required TimeSpan Phase { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Concurrency} senders of signed status webhooks, {Rounds} rounds of {Phase.TotalSeconds:F0} s with telemetry off, then on");
        await using var collector = await OtlpSink.Start();
        var rabbitMq = await infrastructure.CreateVirtualHostAsync();
        var gateway = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json")).Gateway.Assembly;
        await using var off = await ServiceProcess.Start(gateway, Environment(rabbitMq, new()
        {
            ["OTEL_SDK_DISABLED"] = "true",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = new Uri(collector.BaseAddress, "off").ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }));
        await using var on = await ServiceProcess.Start(gateway, Environment(rabbitMq, new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = new Uri(collector.BaseAddress, "on").ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { Timeout = TimeSpan.FromSeconds(30) };

        await Load(client, off.BaseAddress, WarmUp, cancellationToken);
        await Load(client, on.BaseAddress, WarmUp, cancellationToken);
        var exportsBefore = collector.Requests("on", "traces");
        var rates = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        var ratios = new List<double>();
        var refused = 0L;
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var telemetry in round % 2 == 0 ? (bool[])[false, true] : [true, false])
            {
                var phase = await Load(client, telemetry ? on.BaseAddress : off.BaseAddress, Phase, cancellationToken);
                rates[telemetry].Add(phase.PerSecond);
                refused += phase.Refused;
                Console.WriteLine($"  round {round + 1} telemetry {(telemetry ? "on " : "off")}  {phase.PerSecond,8:F0} webhooks/s  ({phase.Accepted} accepted, {phase.Refused} refused)");
            }

            ratios.Add(rates[true][^1] / rates[false][^1]);
        }

        var without = Median(rates[false]);
        var with = Median(rates[true]);
        var ratio = Median(ratios);
        var overhead = 1 - ratio;
        var traceExports = collector.Requests("on", "traces") - exportsBefore;
        var fromOff = collector.Requests("off", "traces") + collector.Requests("off", "metrics") + collector.Requests("off", "logs");
        Console.WriteLine($"  telemetry off (median)   {without:F0} webhooks/s");
        Console.WriteLine($"  telemetry on (median)    {with:F0} webhooks/s");
        Console.WriteLine($"  on/off per round         {string.Join(", ", ratios.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))}; median {ratio:F3}, overhead {overhead:P1} (limit {MaxOverhead:P0})");
        Console.WriteLine($"  collector                on: {traceExports} trace exports while measured ({collector.Bytes("on", "traces"):N0} bytes in all), "
            + $"{collector.Requests("on", "metrics")} metric, {collector.Requests("on", "logs")} log exports; off: {fromOff} exports");
        Console.WriteLine($"  machine                  load average {Machine.LoadAverage()}");
        var passed = overhead < MaxOverhead && refused == 0 && traceExports > 0 && fromOff == 0;
        return new ScenarioResult(
            Name, passed,
            string.Create(CultureInfo.InvariantCulture, $"on/off {ratio:F3} (median of rounds; {with:F0} vs {without:F0} webhooks/s), overhead {overhead:P1}, {refused} refused, {traceExports} trace exports"));
    }

    private static Dictionary<string, string> Environment(string rabbitMq, Dictionary<string, string> telemetry)
    {
        var environment = new Dictionary<string, string>(telemetry)
        {
            ["TWILIO_ACCOUNT_SID"] = Mesh.AccountSid,
            ["TWILIO_AUTH_TOKEN"] = Mesh.AuthToken,
            ["Gateway__PublicBaseUrl"] = Mesh.PublicBaseUrl,
            ["Gateway__ApiKeys__0"] = Mesh.ApiKey,
            ["ConnectionStrings__RabbitMq"] = rabbitMq,
        };
        return environment;
    }

    /// <summary>Sends status webhooks from <see cref="Concurrency"/> senders for <paramref name="duration"/>.</summary>
    private async Task<PhaseResult> Load(HttpClient client, Uri gateway, TimeSpan duration, CancellationToken cancellationToken)
    {
        long accepted = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                using var request = StatusCallback(gateway);
                using var response = await client.SendAsync(request, cancellationToken);
                Interlocked.Increment(ref response.StatusCode == HttpStatusCode.NoContent ? ref accepted : ref refused);
            }
        }));
        return new PhaseResult(accepted, refused, accepted / clock.Elapsed.TotalSeconds);
    }

    private static HttpRequestMessage StatusCallback(Uri gateway)
    {
        List<KeyValuePair<string, string>> form =
        [
            new("AccountSid", Mesh.AccountSid), new("ApiVersion", "2010-04-01"), new("CallSid", Mesh.NewCallSid()), new("CallStatus", "ringing"),
            new("CallbackSource", "call-progress-events"), new("Direction", "outbound-api"), new("From", "+15005550006"), new("To", "+14155550100"),
            new("SequenceNumber", "1"), new("Timestamp", DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)),
        ];
        return TwilioSignature.SignedPost(
            Mesh.AuthToken, Mesh.PublicBaseUrl + "/twilio/voice/status", new Uri(gateway, "/twilio/voice/status"), form, Guid.NewGuid().ToString());
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record PhaseResult(long Accepted, long Refused, double PerSecond);

    /// <summary>
    /// An OTLP/HTTP endpoint that reads every export in full, counts it per gateway and signal and answers 200. Unlike
    /// the tests' <see cref="OtlpReceiver"/> it decodes nothing: on these shared cores, decoding every span here would
    /// be charged to the gateway's figure.
    /// </summary>
    private sealed class OtlpSink : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly Dictionary<(string Gateway, string Signal), (long Requests, long Bytes)> _received = [];

        private OtlpSink(WebApplication app) => _app = app;

        public Uri BaseAddress { get; private set; } = null!;

        public static async Task<OtlpSink> Start()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            var port = FreePort.Next();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var sink = new OtlpSink(builder.Build()) { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            sink._app.MapPost("/{gateway}/v1/{signal}", async (string gateway, string signal, HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                lock (sink._received)
                {
                    var (requests, bytes) = sink._received.GetValueOrDefault((gateway, signal));
                    sink._received[(gateway, signal)] = (requests + 1, bytes + body.Length);
                }

                return Results.Ok();
            });
            await sink._app.StartAsync();
            return sink;
        }

        public long Requests(string gateway, string signal)
        {
            lock (_received)
            {
                return _received.GetValueOrDefault((gateway, signal)).Requests;
            }
        }

        public long Bytes(string gateway, string signal)
        {
            lock (_received)
            {
                return _received.GetValueOrDefault((gateway, signal)).Bytes;
            }
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
