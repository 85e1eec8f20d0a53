using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Flows;

/// <summary>TwiML turns served and the ones that fell back to the apology, by reason.</summary>
public sealed class FlowMetrics
{
    private readonly Counter<long> _turns;
    private readonly Counter<long> _failures;

    public FlowMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _turns = meter.CreateCounter<long>("voicemesh.calls.flow.turns", "{turn}", "TwiML documents a flow answered with.");
        _failures = meter.CreateCounter<long>("voicemesh.calls.flow.failures", "{turn}", "TwiML requests answered with the apology because no flow could answer.");
    }

    public void Turn(FlowAction action) => _turns.Add(1, new KeyValuePair<string, object?>("voicemesh.flow.action", action.ToString().ToLowerInvariant()));

    public void Failed(string reason) => _failures.Add(1, new KeyValuePair<string, object?>("error.type", reason));
}
