using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Fallback;

/// <summary>
/// What a caller hears when Calls cannot answer a TwiML webhook: <see cref="Message"/>, then a forward to
/// <see cref="ForwardTo"/> when it is set, else a voicemail; and how long Calls has to answer.
/// </summary>
public sealed class TwimlFallbackOptions : IConfigurationOptions
{
    public static string Section => "Gateway:Fallback";

    /// <summary>
    /// How long Calls has to answer a TwiML webhook before the caller gets the fallback: well under Twilio's 15 s, so
    /// Twilio never gives up first and plays its "application error".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:12", ErrorMessage = "Gateway:Fallback:Timeout must be between 0.1 and 12 seconds: Twilio gives up on a webhook after 15 s.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The apology spoken first.</summary>
    [Required(AllowEmptyStrings = false)]
    [StringLength(4000)]
    public string Message { get; set; } = "We are sorry, we cannot take your call right now.";

    /// <summary>A number (E.164) the call is forwarded to after the apology; unset, the caller can leave a voicemail.</summary>
    [E164Number]
    public string? ForwardTo { get; set; }

    /// <summary>Spoken before the voicemail's beep (when <see cref="ForwardTo"/> is unset).</summary>
    [Required(AllowEmptyStrings = false)]
    [StringLength(4000)]
    public string VoicemailPrompt { get; set; } = "Please leave a message after the tone.";

    /// <summary>The longest voicemail recorded.</summary>
    [Range(1, 3600)]
    public int VoicemailMaxLengthSeconds { get; set; } = 120;
}
