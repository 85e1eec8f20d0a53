using System.Globalization;
using System.Net;
using MassTransit;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>Issue 13's scripted scenario: ten signed webhooks on two paths, two of them rejected, read back from the gateway's instruments.</summary>
public sealed class WebhookMetricsSpecs : IAsyncLifetime
{
    private const string StatusPath = "/twilio/voice/status";
    private const string AmdPath = "/twilio/voice/amd";
    private const string AccountSid = "AC11111111111111111111111111111111";
    private readonly GatewayApplication _app = new();
    private HttpClient _client = null!;
    private MetricCollector<long> _accepted = null!;
    private MetricCollector<long> _rejected = null!;
    private MetricCollector<long> _unavailable = null!;
    private MetricCollector<double> _publishDuration = null!;

    public async ValueTask InitializeAsync()
    {
        _client = _app.CreateClient();
        await _app.Harness.Start();
        var meters = _app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        _accepted = new(meters, VoiceMeshTelemetry.Name, "voicemesh.gateway.webhooks.accepted");
        _rejected = new(meters, VoiceMeshTelemetry.Name, "voicemesh.gateway.webhooks.rejected");
        _unavailable = new(meters, VoiceMeshTelemetry.Name, "voicemesh.gateway.webhooks.unavailable");
        _publishDuration = new(meters, VoiceMeshTelemetry.Name, "voicemesh.gateway.publish.duration");
    }

    public async ValueTask DisposeAsync()
    {
        _accepted.Dispose();
        _rejected.Dispose();
        _unavailable.Dispose();
        _publishDuration.Dispose();
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private static string Sid(int n) => "CA" + n.ToString("x32", CultureInfo.InvariantCulture);

    private static List<KeyValuePair<string, string>> Status(int n) =>
    [
        new("AccountSid", AccountSid),
        new("CallSid", Sid(n)),
        new("CallStatus", "ringing"),
        new("SequenceNumber", "1"),
        new("Timestamp", "Tue, 14 Oct 2025 17:03:41 +0000"),
        new("Direction", "outbound-api"),
    ];

    private static List<KeyValuePair<string, string>> Amd(int n) =>
    [
        new("AccountSid", AccountSid),
        new("CallSid", Sid(n)),
        new("AnsweredBy", "human"),
    ];

    private static HttpRequestMessage Signed(string path, List<KeyValuePair<string, string>> form) =>
        TwilioSignature.SignedPost(GatewayApplication.AuthToken, GatewayApplication.PublicBaseUrl + path, new Uri(path, UriKind.Relative), form);

    private async Task<HttpStatusCode> Send(HttpRequestMessage request)
    {
        using (request)
        using (var response = await _client.SendAsync(request, TestContext.Current.CancellationToken))
        {
            return response.StatusCode;
        }
    }

    private static Dictionary<string, long> ByPath(MetricCollector<long> collector) =>
        collector.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags["url.path"]!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value), StringComparer.Ordinal);

    [Fact]
    public async Task Ten_webhooks_two_rejected_read_eight_accepted_and_two_rejected_with_their_reasons_per_path()
    {
        List<HttpStatusCode> answers = [];
        for (var n = 1; n <= 5; n++)
        {
            answers.Add(await Send(Signed(StatusPath, Status(n))));
        }

        var tampered = Signed(StatusPath, Status(6));
        tampered.Content = new FormUrlEncodedContent([.. Status(6).Where(f => f.Key != "CallStatus"), new("CallStatus", "completed")]);
        answers.Add(await Send(tampered));
        for (var n = 7; n <= 9; n++)
        {
            answers.Add(await Send(Signed(AmdPath, Amd(n))));
        }

        answers.Add(await Send(Signed(AmdPath, [.. Amd(10).Where(f => f.Key != "AnsweredBy")])));

        Assert.Equal(8, answers.Count(a => a == HttpStatusCode.NoContent));
        Assert.Equal(10, answers.Count);
        Assert.Equal(8, _accepted.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { [StatusPath] = 5, [AmdPath] = 3 }, ByPath(_accepted));
        Assert.Equal(2, _rejected.GetMeasurementSnapshot().Sum(m => m.Value));
        var rejections = _rejected.GetMeasurementSnapshot()
            .Select(m => ((string)m.Tags["url.path"]!, (string)m.Tags["error.type"]!, m.Value))
            .Order()
            .ToList();
        Assert.Equal([(AmdPath, "invalid-fields", 1L), (StatusPath, "invalid-signature", 1L)], rejections);
        Assert.Empty(_unavailable.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Every_accepted_webhook_records_one_publish_duration_without_an_error_and_rejected_ones_none()
    {
        for (var n = 1; n <= 3; n++)
        {
            Assert.Equal(HttpStatusCode.NoContent, await Send(Signed(StatusPath, Status(n))));
        }

        Assert.Equal(HttpStatusCode.NoContent, await Send(Signed(AmdPath, Amd(4))));
        Assert.Equal(HttpStatusCode.BadRequest, await Send(Signed(AmdPath, [.. Amd(5).Where(f => f.Key != "CallSid")])));
        var unsigned = Signed(StatusPath, Status(6));
        unsigned.Headers.Remove("X-Twilio-Signature");
        Assert.Equal(HttpStatusCode.Forbidden, await Send(unsigned));

        var durations = _publishDuration.GetMeasurementSnapshot();
        Assert.Equal(4, durations.Count);
        Assert.Equal(
            [AmdPath, StatusPath, StatusPath, StatusPath],
            durations.Select(m => (string)m.Tags["url.path"]!).Order(StringComparer.Ordinal));
        Assert.All(durations, m =>
        {
            Assert.False(m.Tags.ContainsKey("error.type"));
            Assert.InRange(m.Value, 0, 10);
        });
        Assert.Equal(4, _accepted.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task A_publish_the_broker_never_confirms_records_its_duration_with_error_type_timeout_and_counts_unavailable()
    {
        await using var stalled = _app.WithWebHostBuilder(builder => builder
            .UseSetting("Gateway:PublishTimeout", "00:00:00.200")
            .ConfigureTestServices(services =>
                services.AddSingleton(sp => ActivatorUtilities.CreateInstance<WebhookPublisher>(sp, StalledBus.Over(sp.GetRequiredService<IBus>())))));
        using var client = stalled.CreateClient();
        await stalled.Services.GetTestHarness().Start();
        var meters = stalled.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var unavailable = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.gateway.webhooks.unavailable");
        using var accepted = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.gateway.webhooks.accepted");
        using var durations = new MetricCollector<double>(meters, VoiceMeshTelemetry.Name, "voicemesh.gateway.publish.duration");

        for (var n = 1; n <= 2; n++)
        {
            using var request = Signed(StatusPath, Status(n));
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        Assert.Equal(2, durations.GetMeasurementSnapshot().Count);
        Assert.All(durations.GetMeasurementSnapshot(), m =>
        {
            Assert.Equal(StatusPath, m.Tags["url.path"]);
            Assert.Equal(GatewayMetrics.PublishTimeout, m.Tags["error.type"]);
            Assert.InRange(m.Value, 0.1, 10); // it waited for the 200 ms timeout (timers may fire a little early)
        });
        Assert.Equal(2, unavailable.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Empty(accepted.GetMeasurementSnapshot());
    }
}
