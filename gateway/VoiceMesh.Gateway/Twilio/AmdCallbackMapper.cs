using Microsoft.AspNetCore.WebUtilities;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>Turns an async AMD callback's form into <see cref="AnsweringMachineDetectionReceived"/>, or names what is wrong.</summary>
internal static class AmdCallbackMapper
{
    public static (AnsweringMachineDetectionReceived? Message, Dictionary<string, string[]> Errors) Map(
        TwilioWebhook webhook, string idempotencyKey, DateTimeOffset receivedAt)
    {
        var errors = new Dictionary<string, string[]>();
        var callSid = webhook.Field("CallSid");
        var accountSid = webhook.Field("AccountSid");
        var answeredBy = webhook.Field("AnsweredBy");
        if (!CallSids.IsValid(callSid))
        {
            errors["CallSid"] = [CallSids.Description];
        }

        if (accountSid is null)
        {
            errors["AccountSid"] = ["AccountSid is required."];
        }

        if (answeredBy is null || !CallStatuses.AnsweredByValues.Contains(answeredBy, StringComparer.Ordinal))
        {
            errors["AnsweredBy"] = [$"AnsweredBy must be one of {string.Join(", ", CallStatuses.AnsweredByValues)}."];
        }

        var duration = webhook.OptionalInt("MachineDetectionDuration", errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var query = new Uri(webhook.SignedUrl).Query;
        var requestId = QueryHelpers.ParseQuery(query).TryGetValue("requestId", out var id) ? id.ToString() : null;
        return (new AnsweringMachineDetectionReceived
        {
            CallSid = callSid!,
            AccountSid = accountSid!,
            AnsweredBy = answeredBy!,
            MachineDetectionDurationMs = duration,
            RequestId = requestId,
            Parameters = webhook.Parameters(),
            IdempotencyKey = idempotencyKey,
            ReceivedAt = receivedAt,
        }, errors);
    }
}
