using VoiceMesh.Contracts.Recordings;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>Turns a recording status callback's form into <see cref="RecordingCallbackReceived"/>, or names what is wrong.</summary>
internal static class RecordingCallbackMapper
{
    /// <summary>Twilio's recording statuses (REFERENCE §4.1 and the REST <c>status</c> enum).</summary>
    private static readonly string[] Statuses = ["in-progress", "paused", "stopped", "processing", "completed", "absent", "deleted", "failed"];

    public static (RecordingCallbackReceived? Message, Dictionary<string, string[]> Errors) Map(
        TwilioWebhook webhook, string idempotencyKey, DateTimeOffset receivedAt)
    {
        var errors = new Dictionary<string, string[]>();
        var recordingSid = webhook.Field("RecordingSid");
        var accountSid = webhook.Field("AccountSid");
        var status = webhook.Field("RecordingStatus");
        if (!RecordingSids.IsValid(recordingSid))
        {
            errors["RecordingSid"] = [recordingSid is null ? "RecordingSid is required." : RecordingSids.Description];
        }

        if (!RecordingSids.IsValidAccount(accountSid))
        {
            errors["AccountSid"] = [accountSid is null ? "AccountSid is required." : RecordingSids.AccountDescription];
        }

        if (status is null || !Statuses.Contains(status, StringComparer.Ordinal))
        {
            errors["RecordingStatus"] = [$"RecordingStatus is required, one of {string.Join(", ", Statuses)}."];
        }

        var url = webhook.Field("RecordingUrl");
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
        {
            errors["RecordingUrl"] = ["RecordingUrl must be an absolute http(s) URL."];
        }

        var duration = webhook.OptionalInt("RecordingDuration", errors);
        var channels = webhook.OptionalInt("RecordingChannels", errors);
        var errorCode = webhook.OptionalInt("ErrorCode", errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new RecordingCallbackReceived
        {
            RecordingSid = recordingSid!,
            CallSid = webhook.Field("CallSid"),
            ConferenceSid = webhook.Field("ConferenceSid"),
            AccountSid = accountSid!,
            RecordingStatus = status!,
            RecordingUrl = url,
            RecordingDurationSeconds = duration,
            RecordingChannels = channels,
            RecordingSource = webhook.Field("RecordingSource"),
            ErrorCode = errorCode,
            Parameters = webhook.Parameters(),
            IdempotencyKey = idempotencyKey,
            ReceivedAt = receivedAt,
        }, errors);
    }
}
