using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Lifecycle;

/// <summary>Conference and conference-recording callbacks refused.</summary>
public sealed class ConferenceCallbackMetrics
{
    /// <summary>The <c>error.type</c> of a callback that names another account than its conference's.</summary>
    public const string AccountMismatch = "account-mismatch";

    private readonly Counter<long> _refused;

    public ConferenceCallbackMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _refused = meter.CreateCounter<long>(
            "voicemesh.conferences.callbacks.refused",
            "{callback}",
            "Conference status and recording callbacks not applied, by callback type and error.type (account-mismatch: another account than the conference's).");
    }

    /// <param name="callbackType"><c>status</c> or <c>recording</c>.</param>
    /// <param name="errorType">Why it was refused.</param>
    public void Refused(string callbackType, string errorType) => _refused.Add(
        1, new KeyValuePair<string, object?>("callback.type", callbackType), new KeyValuePair<string, object?>("error.type", errorType));
}
