using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>
/// Webhooks the gateway accepted, rejected (by <c>error.type</c>), or could not hand to the broker, each by
/// <c>url.path</c>; and how long each publish waited for the broker's confirm.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>The <c>error.type</c> of a publish the broker did not confirm within <c>Gateway:PublishTimeout</c>.</summary>
    public const string PublishTimeout = "timeout";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _unavailable;
    private readonly Histogram<double> _publishDuration;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _accepted = meter.CreateCounter<long>("voicemesh.gateway.webhooks.accepted", "{webhook}", "Webhooks published and confirmed by the broker.");
        _rejected = meter.CreateCounter<long>("voicemesh.gateway.webhooks.rejected", "{webhook}", "Webhooks refused with a 4xx.");
        _unavailable = meter.CreateCounter<long>("voicemesh.gateway.webhooks.unavailable", "{webhook}", "Webhooks answered 503 because the broker did not confirm in time.");
        _publishDuration = meter.CreateHistogram(
            "voicemesh.gateway.publish.duration",
            "s",
            "Time from publishing a webhook's event until the broker confirmed it; with error.type when the publish failed or timed out (answered 503).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
    }

    public void Accepted(string path) => _accepted.Add(1, new KeyValuePair<string, object?>("url.path", path));

    public void Rejected(string path, string reason) => _rejected.Add(
        1, new KeyValuePair<string, object?>("url.path", path), new KeyValuePair<string, object?>("error.type", reason));

    public void Unavailable(string path) => _unavailable.Add(1, new KeyValuePair<string, object?>("url.path", path));

    /// <summary>One publish: confirmed when <paramref name="errorType"/> is null.</summary>
    public void Published(string path, TimeSpan duration, string? errorType)
    {
        if (errorType is null)
        {
            _publishDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("url.path", path));
        }
        else
        {
            _publishDuration.Record(
                duration.TotalSeconds, new KeyValuePair<string, object?>("url.path", path), new KeyValuePair<string, object?>("error.type", errorType));
        }
    }
}
