using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Reconciliation;

public sealed class ReconciliationOptions : IConfigurationOptions
{
    public static string Section => "Calls:Reconciliation";

    /// <summary>How often a run looks for stuck calls.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A call that is not terminal and has not moved (nor been checked) for this long is asked about.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many stale calls one query of a run reads; a run walks every stale call, a page at a time.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;
}
