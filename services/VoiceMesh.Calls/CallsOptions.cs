using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls;

public sealed class CallsOptions : IConfigurationOptions
{
    public static string Section => "Calls";

    /// <summary>The gateway's public base URL; placed calls send their status callbacks there.</summary>
    [Required(ErrorMessage = "Calls:PublicBaseUrl is not set (environment Calls__PublicBaseUrl): the gateway URL Twilio calls back, e.g. https://voice.example.com.")]
    [Url]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>
    /// Calls Twilio may be asked to create per second for the account. One instance places at a time (the
    /// placement queue has a single active consumer), so this is the rate across every instance.
    /// </summary>
    [Range(0.1, 1000)]
    public double CallsPerSecond { get; set; } = 1;

    /// <summary>Caller id for a PlaceCall without From, until the number pool chooses one.</summary>
    [E164Number]
    public string? DefaultFrom { get; set; }

    /// <summary>Call flows by name: the TwiML URL Twilio fetches when the call is answered.</summary>
    public IDictionary<string, string> Flows { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
