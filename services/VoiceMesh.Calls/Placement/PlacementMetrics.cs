using System.Diagnostics.Metrics;
using System.Globalization;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Placement;

/// <summary>Placement outcomes as the placements' streams store them, and the creates waiting for the calls-per-second pacer.</summary>
public sealed class PlacementMetrics
{
    private const string Placed = "placed";
    private const string Rejected = "rejected";
    private const string Failed = "failed";
    private const string Retried = "retried";

    private readonly Counter<long> _placements;

    public PlacementMetrics(IMeterFactory meterFactory, OutboundCallPacer pacer)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _placements = meter.CreateCounter<long>(
            "voicemesh.calls.placements",
            "{placement}",
            "Placement outcomes stored: placed (Twilio created the call), rejected (invalid PlaceCall or no caller id from the pool), "
            + "failed (Twilio refused for good), retried (a transient Twilio error or an open circuit; the request is tried again); "
            + "twilio.error_code is Twilio's code when Twilio gave one.");
        meter.CreateObservableGauge(
            "voicemesh.calls.placement.queued",
            () => pacer.Waiting,
            "{request}",
            "Calls creates waiting for their slot in this instance's calls-per-second pacer (Calls:CallsPerSecond).");
    }

    /// <summary>Counts the outcomes among what the command path stored on a placement's stream.</summary>
    public void Stored(IReadOnlyList<object> appended)
    {
        foreach (var e in appended)
        {
            switch (e)
            {
                case PlacementSucceeded:
                    Count(Placed, null);
                    break;
                case PlacementRejected:
                    Count(Rejected, null);
                    break;
                case PlacementFailed failed:
                    Count(Failed, failed.ErrorCode);
                    break;
                case PlacementAttemptFailed retried:
                    Count(Retried, retried.ErrorCode);
                    break;
            }
        }
    }

    private void Count(string outcome, int? errorCode)
    {
        if (errorCode is { } code and > 0)
        {
            _placements.Add(
                1,
                new KeyValuePair<string, object?>("outcome", outcome),
                new KeyValuePair<string, object?>("twilio.error_code", code.ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            _placements.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
