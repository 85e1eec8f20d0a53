using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Reconciliation;

/// <summary>How many calls the last reconciliation run found stuck.</summary>
public sealed class ReconciliationMetrics
{
    private long _stuck = -1;

    public ReconciliationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        meter.CreateObservableGauge(
            "voicemesh.calls.stuck",
            Observe,
            "{call}",
            "Calls not terminal that had neither changed nor been checked at Twilio for Calls:Reconciliation:StaleAfter (2 min) "
            + "when this instance's last reconciliation run started: the calls that run set out to ask Twilio about. Counted once "
            + "per run (every Interval), not per scrape; nothing until the first run. Every instance reports the same count: aggregate with max.");
    }

    /// <summary>A run started and found <paramref name="count"/> stuck calls.</summary>
    public void Stuck(long count) => Interlocked.Exchange(ref _stuck, count);

    private IEnumerable<Measurement<long>> Observe() =>
        Interlocked.Read(ref _stuck) is var stuck and >= 0 ? [new Measurement<long>(stuck)] : [];
}
