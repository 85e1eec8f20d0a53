using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings;

public sealed class RecordingsOptions : IConfigurationOptions
{
    public static string Section => "Recordings";

    /// <summary>Whether a recording is deleted at Twilio once its archived copy is stored and verified.</summary>
    public bool DeleteAtTwilio { get; set; } = true;

    /// <summary>
    /// How long a media download may go without a byte before it is given up as an outage (held and tried again).
    /// The HTTP pipeline's timeouts end with the response headers; this one covers the body.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MediaStallTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
