using System.Diagnostics;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// A callback URL given to Twilio that carries the current W3C trace context as a <c>traceparent</c> query parameter, so
/// the gateway continues this trace for the callbacks Twilio sends to it. Twilio sends no <c>traceparent</c> header of
/// its own and signs the whole URL with its query, so the parameter cannot be forged past the signature check.
/// </summary>
public static class TracedCallbackUrl
{
    /// <summary><paramref name="url"/> with <c>traceparent</c> added to its query; unchanged outside a W3C trace.</summary>
    public static string For(string url) =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } traceParent }
            ? string.Concat(url, url.Contains('?', StringComparison.Ordinal) ? "&" : "?", "traceparent=", traceParent)
            : url;
}
