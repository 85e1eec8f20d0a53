using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Lifecycle;

/// <summary>Calls by the statuses they reached, counted from what their streams stored; callbacks refused.</summary>
public sealed class LifecycleMetrics
{
    /// <summary>The <c>error.type</c> of a callback that names another account than its call's.</summary>
    public const string AccountMismatch = "account-mismatch";

    private readonly Counter<long> _statuses;
    private readonly Counter<long> _refused;

    public LifecycleMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _statuses = meter.CreateCounter<long>(
            "voicemesh.calls.status",
            "{call}",
            "Calls that reached a status: one the first time a call's stream stores a report of that status (status callback or reconciliation), "
            + "in whatever order the reports arrive; a duplicate or a late report of a status the call has already reported adds nothing.");
        _refused = meter.CreateCounter<long>(
            "voicemesh.calls.callbacks.refused",
            "{callback}",
            "Status and AMD callbacks not applied to their call, by callback.type (status, amd) and error.type "
            + "(account-mismatch: the callback names another account than the call's).");
    }

    /// <summary>One callback of <paramref name="callbackType"/> (<c>status</c>, <c>amd</c>) refused for <paramref name="reason"/>.</summary>
    public void Refused(string callbackType, string reason) => _refused.Add(
        1, new KeyValuePair<string, object?>("callback.type", callbackType), new KeyValuePair<string, object?>("error.type", reason));

    /// <summary>
    /// Counts the reports <paramref name="appended"/> (what the command path stored) whose status <paramref name="before"/>
    /// (the call as the decision read it; null for a new stream) had not reported yet.
    /// </summary>
    public void Stored(Call? before, IReadOnlyList<object> appended)
    {
        foreach (var report in appended.OfType<CallStatusReported>())
        {
            if (before is not null && before.History.Exists(h => h.Status == report.Status))
            {
                continue;
            }

            var direction = report.Direction ?? before?.Direction;
            if (direction is null)
            {
                _statuses.Add(1, new KeyValuePair<string, object?>("call.status", report.Status.ToWire()));
            }
            else
            {
                _statuses.Add(
                    1, new KeyValuePair<string, object?>("call.status", report.Status.ToWire()), new KeyValuePair<string, object?>("call.direction", direction));
            }
        }
    }
}
