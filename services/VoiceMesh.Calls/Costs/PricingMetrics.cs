using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Costs;

/// <summary>What pricing's looks at Twilio found, counted once what they found was stored.</summary>
public sealed class PricingMetrics
{
    private readonly Counter<long> _checks;

    public PricingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _checks = meter.CreateCounter<long>(
            "voicemesh.calls.pricing.checks",
            "{call}",
            "Final calls pricing asked Twilio about, by outcome: priced (CallPriced stored), unpriced (Twilio had no price yet), "
            + "refused (a Twilio error that is not transient, e.g. 20404), unavailable (Twilio unreachable: the run stopped), "
            + "conflict (the call changed meanwhile: asked again next run).");
    }

    public void Checked(string outcome) => _checks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
