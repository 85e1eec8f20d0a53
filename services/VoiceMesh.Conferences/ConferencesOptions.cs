using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences;

public sealed class ConferencesOptions : IConfigurationOptions
{
    public static string Section => "Conferences";

    /// <summary>
    /// The gateway's public base URL. Every participant VoiceMesh dials names the conference's status callback
    /// (<c>/twilio/conference/status</c>), its recording callback (<c>/twilio/recording/status</c>) and the call's own
    /// status callback (<c>/twilio/voice/status</c>) under it.
    /// </summary>
    [Required(ErrorMessage = "Conferences:PublicBaseUrl is not set (environment Conferences__PublicBaseUrl): the gateway URL Twilio calls back, e.g. https://voice.example.com.")]
    [Url]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>
    /// Participants Twilio may be asked to dial per second (each Participants create starts a call, which counts against
    /// the account's calls per second). One instance dials at a time (the dial queue has a single active consumer), so
    /// this is the rate across every instance; with Calls placing calls too, their two rates share the account's.
    /// </summary>
    [Range(0.1, 1000)]
    public double DialsPerSecond { get; set; } = 1;

    /// <summary>
    /// How often the outbox looks for new decisions to perform (Marten's daemon polling, both its fast and slow
    /// interval; Marten's defaults are 250 ms and 1 s). A moderator's command waits for it before it reaches Twilio, so
    /// it bounds the command-to-Twilio latency; each look is one small query on the event sequence.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.005", "00:00:05")]
    public TimeSpan OutboxPollingInterval { get; set; } = TimeSpan.FromMilliseconds(20);
}
