using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>Counters for webhooks the gateway accepted, rejected, or could not hand to the broker.</summary>
internal sealed class GatewayMetrics
{
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _unavailable;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _accepted = meter.CreateCounter<long>("voicemesh.gateway.webhooks.accepted", "{webhook}", "Webhooks published and confirmed by the broker.");
        _rejected = meter.CreateCounter<long>("voicemesh.gateway.webhooks.rejected", "{webhook}", "Webhooks refused with a 4xx.");
        _unavailable = meter.CreateCounter<long>("voicemesh.gateway.webhooks.unavailable", "{webhook}", "Webhooks answered 503 because the broker did not confirm in time.");
    }

    public void Accepted(string path) => _accepted.Add(1, new KeyValuePair<string, object?>("url.path", path));

    public void Rejected(string path, string reason) => _rejected.Add(
        1, new KeyValuePair<string, object?>("url.path", path), new KeyValuePair<string, object?>("error.type", reason));

    public void Unavailable(string path) => _unavailable.Add(1, new KeyValuePair<string, object?>("url.path", path));
}
