using System.ComponentModel.DataAnnotations;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway;

public sealed class GatewayOptions : IConfigurationOptions
{
    public static string Section => "Gateway";

    /// <summary>The base URL Twilio requests and signs, e.g. <c>https://voice.example.com</c>.</summary>
    [Required(ErrorMessage = "Gateway:PublicBaseUrl is not set (environment Gateway__PublicBaseUrl): the URL Twilio signs, e.g. https://voice.example.com.")]
    [Url(ErrorMessage = "Gateway:PublicBaseUrl must be an absolute http(s) URL.")]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>
    /// Addresses of our own reverse proxies. Only requests from these may set <c>X-Forwarded-Proto</c>,
    /// <c>X-Forwarded-Host</c> and <c>X-Forwarded-Port</c> for the signed URL; everyone else's are ignored.
    /// </summary>
    public IList<string> TrustedProxies { get; } = [];

    [Range(1024, 1024 * 1024)]
    public int MaxWebhookBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The most fields a Twilio webhook may have (Twilio sends about 40); more is answered 400 before parsing.</summary>
    [Range(16, 1024)]
    public int MaxWebhookFields { get; set; } = 256;

    /// <summary>The longest field name a Twilio webhook may have, URL-encoded; longer is answered 400 before parsing.</summary>
    [Range(32, 2048)]
    public int MaxWebhookFieldNameLength { get; set; } = 128;

    /// <summary>
    /// The slowest a client may send a body, after <see cref="MinRequestBodyGrace"/>: a slower one is answered 408
    /// (Kestrel's <c>MinRequestBodyDataRate</c>).
    /// </summary>
    [Range(1, 1024 * 1024)]
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;

    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan MinRequestBodyGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Accounts (subaccounts) besides <c>Twilio:AccountSid</c> whose webhooks are accepted, by AccountSid, each with its
    /// own tokens. A webhook is checked with the tokens of the <c>AccountSid</c> it carries; any other account is 403.
    /// </summary>
    public IDictionary<string, GatewayAccount> Accounts { get; } = new Dictionary<string, GatewayAccount>(StringComparer.Ordinal);

    /// <summary>How long a webhook waits for the broker's confirm before it is answered 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
