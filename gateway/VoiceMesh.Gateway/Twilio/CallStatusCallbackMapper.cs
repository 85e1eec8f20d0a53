using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>Turns a call status callback's form into <see cref="CallStatusCallbackReceived"/>, or names what is wrong.</summary>
internal static class CallStatusCallbackMapper
{
    public static (CallStatusCallbackReceived? Message, Dictionary<string, string[]> Errors) Map(
        TwilioWebhook webhook, string idempotencyKey, DateTimeOffset receivedAt)
    {
        var errors = new Dictionary<string, string[]>();
        var callSid = webhook.Field("CallSid");
        var accountSid = webhook.Field("AccountSid");
        var status = webhook.Field("CallStatus");

        if (callSid is null)
        {
            errors["CallSid"] = ["CallSid is required."];
        }
        else if (!CallSids.IsValid(callSid))
        {
            errors["CallSid"] = [CallSids.Description];
        }

        if (accountSid is null)
        {
            errors["AccountSid"] = ["AccountSid is required."];
        }

        if (status is null)
        {
            errors["CallStatus"] = ["CallStatus is required."];
        }
        else if (!CallStatuses.IsKnown(status))
        {
            errors["CallStatus"] = [$"CallStatus must be one of {string.Join(", ", CallStatuses.All)}."];
        }

        var sequence = webhook.OptionalInt("SequenceNumber", errors);
        var duration = webhook.OptionalInt("CallDuration", errors);
        var sipCode = webhook.OptionalInt("SipResponseCode", errors);
        var timestamp = webhook.OptionalTimestamp("Timestamp", errors);
        var from = webhook.OptionalParty("From", errors);
        var to = webhook.OptionalParty("To", errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new CallStatusCallbackReceived
        {
            CallSid = callSid!,
            AccountSid = accountSid!,
            CallStatus = status!,
            Direction = webhook.Field("Direction"),
            From = from,
            To = to,
            ParentCallSid = webhook.Field("ParentCallSid"),
            ApiVersion = webhook.Field("ApiVersion"),
            AnsweredBy = webhook.Field("AnsweredBy"),
            CallbackSource = webhook.Field("CallbackSource"),
            SequenceNumber = sequence,
            Timestamp = timestamp,
            CallDurationSeconds = duration,
            SipResponseCode = sipCode,
            RecordingSid = webhook.Field("RecordingSid"),
            RecordingUrl = webhook.Field("RecordingUrl"),
            Parameters = webhook.Parameters(),
            IdempotencyKey = idempotencyKey,
            ReceivedAt = receivedAt,
        }, errors);
    }
}
