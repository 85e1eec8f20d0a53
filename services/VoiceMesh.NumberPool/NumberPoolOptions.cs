using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool;

public sealed class NumberPoolOptions : IConfigurationOptions
{
    public static string Section => "NumberPool";

    /// <summary>The gateway's public URL: every pool number's Voice URL and status callback point at it.</summary>
    [Required(ErrorMessage = "NumberPool:PublicBaseUrl is not set (environment NumberPool__PublicBaseUrl): the gateway URL Twilio calls, e.g. https://voice.example.com.")]
    [Url]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>How long a released number stays quarantined (never chosen) before it is deleted at Twilio.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan QuarantinePeriod { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often quarantines and reputation cooldowns are checked for their end.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan LifecycleCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a caller-id lease lasts when it is never released (a lost call, a crashed caller).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromHours(4);

    /// <summary>How often expired leases are ended.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan LeaseSweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often the pool usage the lease gauges report is read from the database (one grouped query); a collection
    /// in between reports the last reading.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan UsageMetricsInterval { get; set; } = TimeSpan.FromSeconds(10);

    public Uri VoiceUrl => new(PublicBaseUrl.TrimEnd('/') + "/twilio/voice");

    /// <summary>The gateway's fallback route: Twilio requests it when the Voice URL fails, and the caller hears an apology, not an application error.</summary>
    public Uri VoiceFallbackUrl => new(PublicBaseUrl.TrimEnd('/') + "/twilio/voice/fallback");

    public Uri StatusCallbackUrl => new(PublicBaseUrl.TrimEnd('/') + "/twilio/voice/status");

    /// <summary>Where every pool number's webhooks go.</summary>
    public NumberWebhooks Webhooks => new(VoiceUrl, VoiceFallbackUrl, StatusCallbackUrl);
}

/// <summary>A number's Voice URL, Voice fallback URL and status callback, all requested with POST.</summary>
public sealed record NumberWebhooks(Uri VoiceUrl, Uri VoiceFallbackUrl, Uri StatusCallback);
