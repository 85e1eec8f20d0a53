namespace VoiceMesh.Recordings.Archiving;

/// <summary>
/// Which media URLs may be fetched: only Twilio's media host (<c>https://api.twilio.com</c>) or the configured
/// <c>Twilio:ApiBaseUrl</c> (the simulator). Anything else in a callback (an internal address, a cloud metadata
/// endpoint) is refused before any request, since the archiver would send it the account's credentials.
/// </summary>
public static class MediaUrlGuard
{
    public const string TwilioMediaHost = "api.twilio.com";

    /// <summary>The <c>.wav</c> URL to fetch, or why the recording's URL is refused.</summary>
    public static (Uri? MediaUri, string? Refusal) Check(string? recordingUrl, string? apiBaseUrl)
    {
        if (recordingUrl is null)
        {
            return (null, "Twilio reported no RecordingUrl.");
        }

        if (!Uri.TryCreate(recordingUrl, UriKind.Absolute, out var url) || !string.IsNullOrEmpty(url.UserInfo)
            || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            return (null, "RecordingUrl is not a plain absolute URL.");
        }

        var twilio = url.Scheme == Uri.UriSchemeHttps && url.IsDefaultPort
            && string.Equals(url.Host, TwilioMediaHost, StringComparison.OrdinalIgnoreCase);
        var configured = apiBaseUrl is { Length: > 0 } && Uri.TryCreate(apiBaseUrl, UriKind.Absolute, out var baseUrl)
            && url.Scheme == baseUrl.Scheme
            && string.Equals(url.Authority, baseUrl.Authority, StringComparison.OrdinalIgnoreCase);
        return twilio || configured
            ? (new Uri(url.GetLeftPart(UriPartial.Path) + ".wav"), null)
            : (null, $"RecordingUrl host '{url.Authority}' is not Twilio's media host; refused without fetching it.");
    }
}
