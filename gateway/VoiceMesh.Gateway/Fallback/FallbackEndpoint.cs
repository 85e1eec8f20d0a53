using Microsoft.AspNetCore.Http.Features;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Gateway.Twilio;

namespace VoiceMesh.Gateway.Fallback;

/// <summary>
/// <c>POST /twilio/voice/fallback</c>, every pool number's <c>VoiceFallbackUrl</c>: Twilio requests it, with
/// <c>ErrorCode</c> and <c>ErrorUrl</c>, when the Voice URL (or a later TwiML URL) failed, and it answers the fallback
/// TwiML without Calls. It is also the fallback voicemail's action, answered with the hang-up alone.
/// </summary>
internal static partial class FallbackEndpoint
{
    public static IResult Answer(HttpContext context, FallbackTwiml twiml, FallbackMetrics metrics, GatewayMetrics gateway, ILogger<FallbackTwiml> logger)
    {
        var webhook = context.Features.GetRequiredFeature<TwilioWebhook>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var callSid = webhook.Field("CallSid");
        if (callSid is null)
        {
            errors["CallSid"] = ["CallSid is required."];
        }
        else if (!CallSids.IsValid(callSid))
        {
            errors["CallSid"] = [CallSids.Description];
        }

        var errorCode = webhook.OptionalInt("ErrorCode", errors);
        var errorUrl = webhook.Field("ErrorUrl");
        if (errorUrl is not null && !(Uri.TryCreate(errorUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)))
        {
            errors["ErrorUrl"] = ["ErrorUrl must be an absolute http(s) URL."];
        }

        if (errors.Count > 0)
        {
            gateway.Rejected(context.Request.Path, "invalid-fields");
            return TypedResults.ValidationProblem(errors, title: "Invalid fallback request");
        }

        if (webhook.Field("RecordingUrl") is not null)
        {
            return FallbackTwiml.AfterVoicemail();
        }

        LogTwilioFallback(logger, callSid!, errorCode, errorUrl);
        metrics.Answered(context.Request.Path, FallbackReason.TwilioFallback);
        return twiml.Apology();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio requested the fallback URL for call {CallSid} after error {ErrorCode} at {ErrorUrl}: answered the fallback TwiML")]
    private static partial void LogTwilioFallback(ILogger logger, string callSid, int? errorCode, string? errorUrl);
}
