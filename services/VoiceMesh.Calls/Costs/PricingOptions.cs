using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Costs;

public sealed class PricingOptions : IConfigurationOptions
{
    public static string Section => "Calls:Pricing";

    /// <summary>How often a run looks for final calls without a price.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many calls one run asks Twilio about at most.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>A final call is first asked about this long after it ended: Twilio rates calls some time after their end.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FirstAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A call Twilio had not priced yet is asked about again no sooner than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The wait after each further look without a price doubles, up to this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "7.00:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Twilio fetches per second this instance's pricing sends at most (its share of the account's REST budget).</summary>
    [Range(1, 100)]
    public int FetchesPerSecond { get; set; } = 5;
}
