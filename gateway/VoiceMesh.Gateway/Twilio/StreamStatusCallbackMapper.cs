using VoiceMesh.Contracts.Calls;
using VoiceMesh.Contracts.MediaStreams;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>Turns a Media Streams status callback's form into <see cref="StreamStatusCallbackReceived"/>, or names what is wrong.</summary>
internal static class StreamStatusCallbackMapper
{
    public static (StreamStatusCallbackReceived? Message, Dictionary<string, string[]> Errors) Map(
        TwilioWebhook webhook, string idempotencyKey, DateTimeOffset receivedAt)
    {
        var errors = new Dictionary<string, string[]>();
        var streamSid = webhook.Field("StreamSid");
        var callSid = webhook.Field("CallSid");
        var accountSid = webhook.Field("AccountSid");
        var streamEvent = webhook.Field("StreamEvent");
        if (!StreamSids.IsValid(streamSid))
        {
            errors["StreamSid"] = [streamSid is null ? "StreamSid is required." : StreamSids.Description];
        }

        if (!CallSids.IsValid(callSid))
        {
            errors["CallSid"] = [callSid is null ? "CallSid is required." : CallSids.Description];
        }

        if (accountSid is null)
        {
            errors["AccountSid"] = ["AccountSid is required."];
        }

        if (streamEvent is null || !StreamStatusEvents.All.Contains(streamEvent, StringComparer.Ordinal))
        {
            errors["StreamEvent"] = [$"StreamEvent is required, one of {string.Join(", ", StreamStatusEvents.All)}."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new StreamStatusCallbackReceived
        {
            StreamSid = streamSid!,
            CallSid = callSid!,
            AccountSid = accountSid!,
            StreamName = webhook.Field("StreamName"),
            StreamEvent = streamEvent!,
            StreamError = webhook.Field("StreamError"),
            Timestamp = webhook.Field("Timestamp"),
            Parameters = webhook.Parameters(),
            IdempotencyKey = idempotencyKey,
            ReceivedAt = receivedAt,
        }, errors);
    }
}
