using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Budgets;

/// <summary>Budgets reached, counted once the budget's stream stored it (once per budget and period).</summary>
public sealed class BudgetMetrics
{
    private readonly Counter<long> _exhausted;

    public BudgetMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _exhausted = meter.CreateCounter<long>(
            "voicemesh.calls.budget.exhausted",
            "{budget}",
            "Budgets reached in their period (spent plus calls in flight at the estimate): the scope's placements are rejected until the period ends.");
    }

    /// <summary>Counts the budgets reached among what the command path stored on a budget's stream.</summary>
    public void Stored(IReadOnlyList<object> appended)
    {
        foreach (var reached in appended.OfType<BudgetLimitReached>())
        {
            _exhausted.Add(1, new KeyValuePair<string, object?>("voicemesh.budget.scope", reached.Scope.ToWire()));
        }
    }
}
