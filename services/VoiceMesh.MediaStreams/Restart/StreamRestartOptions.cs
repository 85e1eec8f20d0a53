using System.ComponentModel.DataAnnotations;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Restart;

/// <summary>Where a restarted stream connects and reports (<c>MediaStreams:Restart:*</c>).</summary>
public sealed class StreamRestartOptions : IConfigurationOptions
{
    public static string Section => "MediaStreams:Restart";

    /// <summary>
    /// The public base URL Twilio reaches the gateway at (e.g. <c>https://voice.example.com</c>): the restarted stream's
    /// <c>Url</c> is its <c>wss://…/twilio/media</c> and its status callback <c>…/twilio/stream/status</c>. Unset: dropped
    /// streams are not restarted (stored as skipped, <c>not-configured</c>).
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }
}
