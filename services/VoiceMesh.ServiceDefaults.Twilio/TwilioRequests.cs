using System.Text.RegularExpressions;

namespace VoiceMesh.ServiceDefaults;

/// <summary>What a Twilio REST request does, read from its method and path.</summary>
public static partial class TwilioRequests
{
    /// <summary>
    /// A POST to a collection (<c>.../Calls.json</c>, <c>.../Participants.json</c>) creates a resource; a POST to one
    /// resource (<c>.../Calls/CA....json</c>) updates it, which is safe to repeat.
    /// </summary>
    public static bool Creates(HttpRequestMessage? request) =>
        request is { RequestUri: { } uri } && request.Method == HttpMethod.Post
        && !ResourcePath().IsMatch(uri.AbsolutePath);

    [GeneratedRegex(@"/[A-Z]{2}[0-9a-fA-F]{32}\.json$")]
    private static partial Regex ResourcePath();
}
