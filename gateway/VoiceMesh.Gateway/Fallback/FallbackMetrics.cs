using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Fallback;

/// <summary>Callers given the fallback TwiML, by <c>url.path</c> and why (<c>error.type</c>, one of <see cref="FallbackReason"/>).</summary>
internal sealed class FallbackMetrics
{
    private readonly Counter<long> _fallbacks;

    public FallbackMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _fallbacks = meter.CreateCounter<long>(
            "voicemesh.gateway.twiml.fallbacks", "{webhook}", "TwiML webhooks answered with the fallback TwiML because Calls could not answer, or requested by Twilio at the fallback URL.");
    }

    public void Answered(string path, string reason) => _fallbacks.Add(
        1, new KeyValuePair<string, object?>("url.path", path), new KeyValuePair<string, object?>("error.type", reason));
}

/// <summary>Why a caller got the fallback TwiML.</summary>
internal static class FallbackReason
{
    /// <summary>Calls did not answer within <c>Gateway:Fallback:Timeout</c>.</summary>
    public const string Timeout = "timeout";

    /// <summary>Calls could not be reached: refused, reset, or no destination.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Calls answered with a 5xx.</summary>
    public const string Error = "error";

    /// <summary>Twilio requested the number's <c>VoiceFallbackUrl</c> after its Voice URL failed.</summary>
    public const string TwilioFallback = "twilio-fallback";
}
