using System.Buffers;
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
/// What tracing costs the gateway's webhook throughput, and what all of OpenTelemetry costs it. Three gateways on one
/// RabbitMQ virtual host: <c>traced</c> as deployed (every webhook traced; traces, metrics and logs exported over
/// OTLP/HTTP to a collector, here a sink in this process that reads and counts them), <c>untraced</c> with tracing
/// switched off the standard way (<c>OTEL_TRACES_SAMPLER=always_off</c>: the instrumentation stays in place, no span is
/// recorded or exported; metrics and logs are exported as deployed) and <c>off</c> with the SDK switched off
/// (<c>OTEL_SDK_DISABLED=true</c>). Each has a collector path of its own, so any export shows whose it is. Signed
/// call-status webhooks from <see cref="Concurrency"/> senders go to one gateway at a time: a warm-up of each, long enough
/// for tiered compilation to settle under this load, then <see cref="Rounds"/> rounds of one <see cref="Phase"/> per
/// gateway (each after <see cref="Settle"/> of unmeasured load, so the gateway that sat idle has its threads back), in an order that runs through every permutation, so a host that speeds up or slows down during the run
/// weighs on all three. Each round gives two ratios: traced over untraced (tracing's overhead, the issue's line) and
/// traced over off (all telemetry's). Passes when the median of the first is at least 0.9, no webhook was refused,
/// only the traced gateway exported traces and the switched-off one exported nothing.
/// </summary>
internal sealed class TracingOverheadScenario : IScenario
{
    private const double MaxOverhead = 0.10;
    private const int Rounds = 6;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly string[] Arms = ["off", "untraced", "traced"];
    private static readonly string[] Signals = ["traces", "metrics", "logs"];

    public required string Name { get; init; }

    public required int Concurrency { get; init; }

    public required TimeSpan Phase { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: {Concurrency} senders of signed status webhooks, {Rounds} rounds of {Phase.TotalSeconds:F0} s per gateway: {string.Join(", ", Arms)}");
        await using var collector = await OtlpSink.Start();
        var rabbitMq = await infrastructure.CreateVirtualHostAsync();
        var gateway = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json")).Gateway.Assembly;
        Dictionary<string, Dictionary<string, string>> telemetry = new()
        {
            ["off"] = new() { ["OTEL_SDK_DISABLED"] = "true" },
            ["untraced"] = new() { ["OTEL_TRACES_SAMPLER"] = "always_off" },
            ["traced"] = [],
        };
        var gateways = new Dictionary<string, ServiceProcess>();
        try
        {
            foreach (var arm in Arms)
            {
                gateways[arm] = await ServiceProcess.Start(gateway, Environment(rabbitMq, new(telemetry[arm])
                {
                    ["OTEL_EXPORTER_OTLP_ENDPOINT"] = new Uri(collector.BaseAddress, arm).ToString(),
                    ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                }));
            }

            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
            foreach (var arm in Arms)
            {
                await Load(client, gateways[arm].BaseAddress, WarmUp, cancellationToken);
            }

            var exportsBefore = collector.Requests("traced", "traces");
            var rates = Arms.ToDictionary(arm => arm, _ => new List<double>());
            List<double> tracing = [], all = [];
            var refused = 0L;
            var orders = Permutations(Arms).ToList();
            for (var round = 0; round < Rounds; round++)
            {
                var rate = new Dictionary<string, double>();
                foreach (var arm in orders[round % orders.Count])
                {
                    await Load(client, gateways[arm].BaseAddress, Settle, cancellationToken);
                    var phase = await Load(client, gateways[arm].BaseAddress, Phase, cancellationToken);
                    rate[arm] = phase.PerSecond;
                    rates[arm].Add(phase.PerSecond);
                    refused += phase.Refused;
                    Console.WriteLine($"  round {round + 1} {arm,-9} {phase.PerSecond,8:F0} webhooks/s  ({phase.Accepted} accepted, {phase.Refused} refused)");
                }

                tracing.Add(rate["traced"] / rate["untraced"]);
                all.Add(rate["traced"] / rate["off"]);
            }

            var ratio = Median(tracing);
            var overhead = 1 - ratio;
            var traceExports = collector.Requests("traced", "traces") - exportsBefore;
            var stray = Signals.Sum(signal => collector.Requests("off", signal)) + collector.Requests("untraced", "traces");
            foreach (var arm in Arms)
            {
                Console.WriteLine($"  {arm,-9} (median) {Median(rates[arm]),8:F0} webhooks/s");
            }

            Console.WriteLine($"  traced/untraced per round  {Format(tracing)}; median {ratio:F3}: tracing overhead {overhead:P1} (limit {MaxOverhead:P0})");
            Console.WriteLine($"  traced/off per round       {Format(all)}; median {Median(all):F3}: all telemetry {1 - Median(all):P1}");
            Console.WriteLine($"  collector                  traced: {traceExports} trace exports while measured ({collector.Bytes("traced", "traces"):N0} bytes in all), "
                + $"{collector.Requests("traced", "metrics")} metric, {collector.Requests("traced", "logs")} log exports; untraced: "
                + $"{collector.Requests("untraced", "metrics")} metric exports; stray exports: {stray}");
            Console.WriteLine($"  machine                    load average {Machine.LoadAverage()}");
            var passed = overhead < MaxOverhead && refused == 0 && traceExports > 0 && stray == 0;
            return new ScenarioResult(
                Name, passed,
                string.Create(CultureInfo.InvariantCulture, $"traced/untraced {ratio:F3} (median of rounds), tracing overhead {overhead:P1}; all telemetry {1 - Median(all):P1}; {refused} refused, {traceExports} trace exports"))
            {
                Figures =
                [
                    new Figure("traced/untraced", ratio, "ratio") { Target = new FigureTarget(TargetKind.AtLeast, 1 - MaxOverhead) },
                    new Figure("traced/off", Median(all), "ratio"),
                    new Figure("traced rate", Median(rates["traced"]), "webhooks/s") { Baseline = "untraced rate" },
                    new Figure("untraced rate", Median(rates["untraced"]), "webhooks/s"),
                    new Figure("off rate", Median(rates["off"]), "webhooks/s"),
                    new Figure("refused", refused, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                    new Figure("stray exports", stray, "count") { Target = new FigureTarget(TargetKind.AtMost, 0) },
                    .. ResidentMemory.PeakFigures(Arms.Select(arm => ($"gateway {arm}", gateways[arm].ProcessId))),
                ],
            };
        }
        finally
        {
            foreach (var process in gateways.Values)
            {
                await process.DisposeAsync();
            }
        }
    }

    private static string Format(List<double> ratios) => string.Join(", ", ratios.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)));

    private static IEnumerable<string[]> Permutations(string[] items) => items.Length <= 1
        ? [items]
        : items.SelectMany(item => Permutations([.. items.Where(other => other != item)]).Select(rest => (string[])[item, .. rest]));

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
                var length = await Drain(request.Body);
                lock (sink._received)
                {
                    var (requests, bytes) = sink._received.GetValueOrDefault((gateway, signal));
                    sink._received[(gateway, signal)] = (requests + 1, bytes + length);
                }

                return Results.Ok();
            });
            await sink._app.StartAsync();
            return sink;
        }

        /// <summary>
        /// Reads an export to its end through one pooled buffer. Copying each export (hundreds of kilobytes) into a fresh
        /// array would put it on the large object heap of this process, which also sends the webhooks, and the full
        /// collections that follow would slow the senders only while the gateway with telemetry on is measured.
        /// </summary>
        private static async Task<long> Drain(Stream body)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                long length = 0;
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    length += read;
                }

                return length;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
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
