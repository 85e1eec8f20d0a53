using System.ComponentModel.DataAnnotations;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// The Twilio account. <c>TWILIO_ACCOUNT_SID</c> and <c>TWILIO_AUTH_TOKEN</c> are honoured as
/// <c>Twilio:AccountSid</c> and <c>Twilio:AuthToken</c>.
/// </summary>
public sealed class TwilioOptions : IConfigurationOptions
{
    public static string Section => "Twilio";

    [Required(ErrorMessage = "Twilio:AccountSid is not set (environment TWILIO_ACCOUNT_SID).")]
    [RegularExpression("^AC[0-9a-fA-F]{32}$", ErrorMessage = "Twilio:AccountSid must be AC followed by 32 hex digits.")]
    public string AccountSid { get; set; } = "";

    [Required(ErrorMessage = "Twilio:AuthToken is not set (environment TWILIO_AUTH_TOKEN).")]
    public string AuthToken { get; set; } = "";

    /// <summary>The token being rotated in; webhooks signed with either token are accepted.</summary>
    public string? SecondaryAuthToken { get; set; }

    /// <summary>
    /// Where Twilio REST calls go instead of <c>https://api.twilio.com</c>, e.g. the Twilio simulator.
    /// Unset means Twilio itself.
    /// </summary>
    [Url(ErrorMessage = "Twilio:ApiBaseUrl must be an absolute http(s) URL.")]
    public string? ApiBaseUrl { get; set; }
}
