using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.TwilioSimulator.Benchmarks;
using VoiceMesh.TwilioSimulator.Hosting;

// dotnet run -c Release --project tests/VoiceMesh.TwilioSimulator.Benchmarks [-- CALLS]
var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
const int Concurrency = 64;
var events = new List<string> { "initiated", "ringing", "answered", "completed" };
const string PublicBase = "https://voice.example.com";

await using var receiver = await EchoReceiver.StartAsync();
Console.WriteLine($"Twilio simulator benchmark: {calls} calls, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

var startups = new List<double>();
for (var i = 0; i < 6; i++)
{
    var started = Stopwatch.GetTimestamp();
    await using var host = await TwilioSimulatorHost.StartAsync(new SimulatorOptions());
    startups.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
}

Report("start-up, first in-process host (after the receiver warmed Kestrel)", startups[0], "ms");
Report("start-up, median of 5 more in-process hosts", Median(startups.Skip(1)), "ms");
var processStartups = new List<double>();
for (var i = 0; i < 3; i++)
{
    processStartups.Add(await StandaloneStartupAsync());
}

Report("start-up, standalone process until /_sim answers (median of 3)", Median(processStartups), "ms");

var form = SampleCallback();
var baselineRequests = calls * 5;
await receiver.PostManyAsync(form, baselineRequests, Concurrency);
var baselineRates = new List<double>();
for (var round = 0; round < 3; round++)
{
    var baselineStart = Stopwatch.GetTimestamp();
    await receiver.PostManyAsync(form, baselineRequests, Concurrency);
    baselineRates.Add(baselineRequests / Stopwatch.GetElapsedTime(baselineStart).TotalSeconds);
}

var baselineRate = Median(baselineRates);
Report($"baseline: HttpClient -> bare Kestrel echo, {baselineRequests} form POSTs, {Concurrency} in flight (median of 3)", baselineRate, "req/s");

// Every call walks its whole life in one clock advance: a burst of 5 webhooks per call (4 status callbacks + TwiML fetch).
var bursts = new List<(double CreateRate, double DeliverRate, int Delivered)>();
for (var round = 0; round < 3; round++)
{
    var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
    await using var sim = await TwilioSimulatorHost.StartAsync(
        new SimulatorOptions { WebhookTarget = receiver.Address, WebhookConcurrency = Concurrency }, clock);
    var twilio = sim.CreateTwilioClient();
    receiver.Reset();
    var createStart = Stopwatch.GetTimestamp();
    await Parallel.ForEachAsync(Enumerable.Range(0, calls), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        await CallResource.CreateAsync(
            to: new PhoneNumber("+1555" + i.ToString("D7", CultureInfo.InvariantCulture)), from: new PhoneNumber("+15005550006"),
            url: new Uri(PublicBase + "/twilio/voice/answer"), statusCallback: new Uri(PublicBase + "/twilio/voice/status"),
            statusCallbackEvent: events, client: twilio));
    var createRate = calls / Stopwatch.GetElapsedTime(createStart).TotalSeconds;
    var deliverStart = Stopwatch.GetTimestamp();
    clock.Advance(TimeSpan.FromMinutes(5));
    await sim.Control.WhenWebhooksIdleAsync(TimeSpan.FromMinutes(2));
    var deliverSeconds = Stopwatch.GetElapsedTime(deliverStart).TotalSeconds;
    bursts.Add((createRate, receiver.Count / deliverSeconds, receiver.Count));
}

Report("Calls create through the Twilio SDK, 32 in flight (median of 3)", Median(bursts.Select(b => b.CreateRate)), "calls/s");
Report($"virtual clock burst: webhooks delivered per run {string.Join('/', bursts.Select(b => b.Delivered))} (expected {calls * 5}), median of 3",
    Median(bursts.Select(b => b.DeliverRate)), "webhooks/s");
Report("  ratio to the bare Kestrel baseline", Median(bursts.Select(b => b.DeliverRate)) / baselineRate, "x");

// Real time: all calls alive at once (ringing 0.5 s, talking 3 s), callbacks delivered as they happen.
{
    await using var sim = await TwilioSimulatorHost.StartAsync(new SimulatorOptions
    {
        WebhookTarget = receiver.Address,
        WebhookConcurrency = Concurrency,
        QueueDelay = TimeSpan.FromMilliseconds(100),
        RingDelay = TimeSpan.FromMilliseconds(200),
        AnswerDelay = TimeSpan.FromMilliseconds(500),
        TalkDuration = TimeSpan.FromSeconds(3),
    });
    var twilio = sim.CreateTwilioClient();
    receiver.Reset();
    var start = Stopwatch.GetTimestamp();
    await Parallel.ForEachAsync(Enumerable.Range(0, calls), new ParallelOptions { MaxDegreeOfParallelism = calls }, async (i, _) =>
        await CallResource.CreateAsync(
            to: new PhoneNumber("+1556" + i.ToString("D7", CultureInfo.InvariantCulture)), from: new PhoneNumber("+15005550006"),
            url: new Uri(PublicBase + "/twilio/voice/answer"), statusCallback: new Uri(PublicBase + "/twilio/voice/status"),
            statusCallbackEvent: events, client: twilio));
    var createdAfter = Stopwatch.GetElapsedTime(start).TotalSeconds;
    while (receiver.Count < calls * 5 && Stopwatch.GetElapsedTime(start) < TimeSpan.FromMinutes(2))
    {
        await Task.Delay(10);
    }

    var total = Stopwatch.GetElapsedTime(start).TotalSeconds;
    var late = sim.Control.Webhooks.Count(w => w.Kind == "status-callback"
        && w.Parameters["CallStatus"] == "completed" && w.ResponseStatus is null);
    Report($"real time: {calls} concurrent calls created in", createdAfter, "s");
    Report($"real time: all {receiver.Count} webhooks of {calls} calls (3.8 s of call time) delivered after", total, "s");
    Report("  failed completed-callback deliveries", late, "");
}

static async Task<double> StandaloneStartupAsync()
{
    int port;
    using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
    {
        listener.Start();
        port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    var started = Stopwatch.GetTimestamp();
    using var process = Process.Start(new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "VoiceMesh.TwilioSimulator"))
    {
        ArgumentList = { "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default", "Warning" },
        RedirectStandardOutput = true,
        WorkingDirectory = AppContext.BaseDirectory,
    })!;
    using var http = new HttpClient();
    try
    {
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/_sim/requests"));
                if (response.IsSuccessStatusCode)
                {
                    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            }
            catch (HttpRequestException)
            {
                await Task.Delay(5);
            }
        }
    }
    finally
    {
        process.Kill();
        await process.WaitForExitAsync();
    }
}

static void Report(string what, double value, string unit) =>
    Console.WriteLine($"{what,-90} {value,12:F2} {unit}");

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static List<KeyValuePair<string, string>> SampleCallback() =>
[
    new("AccountSid", "AC00000000000000000000000000000000"),
    new("ApiVersion", "2010-04-01"),
    new("CallSid", "CA00000000000000000000000000000000"),
    new("CallStatus", "ringing"),
    new("Called", "+15551234567"),
    new("Caller", "+15005550006"),
    new("Direction", "outbound-api"),
    new("From", "+15005550006"),
    new("To", "+15551234567"),
    new("CallbackSource", "call-progress-events"),
    new("SequenceNumber", "1"),
    new("Timestamp", "Thu, 01 Jan 1970 00:00:01 +0000"),
];
