using VoiceMesh.Contracts.Calls;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>Turns a conference status callback's form into <see cref="ConferenceCallbackReceived"/>, or names what is wrong.</summary>
internal static class ConferenceCallbackMapper
{
    public static (ConferenceCallbackReceived? Message, Dictionary<string, string[]> Errors) Map(
        TwilioWebhook webhook, string idempotencyKey, DateTimeOffset receivedAt)
    {
        var errors = new Dictionary<string, string[]>();
        var conferenceSid = webhook.Field("ConferenceSid");
        var friendlyName = webhook.Field("FriendlyName");
        var accountSid = webhook.Field("AccountSid");
        if (!ConferenceSids.IsValid(conferenceSid))
        {
            errors["ConferenceSid"] = [conferenceSid is null ? "ConferenceSid is required." : ConferenceSids.Description];
        }

        if (friendlyName is null || friendlyName.Length > ConferenceSids.MaxFriendlyNameLength)
        {
            errors["FriendlyName"] = [$"FriendlyName is required, at most {ConferenceSids.MaxFriendlyNameLength} characters."];
        }

        if (accountSid is null)
        {
            errors["AccountSid"] = ["AccountSid is required."];
        }

        var callbackEvent = Required<ConferenceCallbackEvent>(webhook, "StatusCallbackEvent", ConferenceWire.ToWire, errors);
        var callSid = webhook.Field("CallSid");
        if (callSid is not null && !CallSids.IsValid(callSid))
        {
            errors["CallSid"] = [CallSids.Description];
        }
        else if (callSid is null && callbackEvent is >= ConferenceCallbackEvent.ParticipantJoin and <= ConferenceCallbackEvent.ParticipantSpeechStop)
        {
            errors["CallSid"] = ["CallSid is required on participant events."];
        }

        var endingCallSid = webhook.Field("CallSidEndingConference");
        if (endingCallSid is not null && !CallSids.IsValid(endingCallSid))
        {
            errors["CallSidEndingConference"] = [CallSids.Description];
        }

        var sequence = webhook.OptionalInt("SequenceNumber", errors);
        var timestamp = webhook.OptionalTimestamp("Timestamp", errors);
        var muted = webhook.OptionalBool("Muted", errors);
        var hold = webhook.OptionalBool("Hold", errors);
        var coaching = webhook.OptionalBool("Coaching", errors);
        var endOnExit = webhook.OptionalBool("EndConferenceOnExit", errors);
        var startOnEnter = webhook.OptionalBool("StartConferenceOnEnter", errors);
        var callStatus = Optional<ParticipantCallStatus>(webhook, "ParticipantCallStatus", ConferenceWire.ToWire, errors);
        var leftReason = Optional<ParticipantLeftReason>(webhook, "ReasonParticipantLeft", ConferenceWire.ToWire, errors);
        var endedReason = Optional<ConferenceEndedReason>(webhook, "ReasonConferenceEnded", ConferenceWire.ToWire, errors);
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new ConferenceCallbackReceived
        {
            ConferenceSid = conferenceSid!,
            FriendlyName = friendlyName!,
            AccountSid = accountSid!,
            StatusCallbackEvent = callbackEvent!.Value,
            SequenceNumber = sequence,
            Timestamp = timestamp,
            CallSid = callSid,
            Muted = muted,
            Hold = hold,
            Coaching = coaching,
            EndConferenceOnExit = endOnExit,
            StartConferenceOnEnter = startOnEnter,
            ParticipantLabel = webhook.Field("ParticipantLabel"),
            ParticipantCallStatus = callStatus,
            ReasonParticipantLeft = leftReason,
            ReasonConferenceEnded = endedReason,
            Reason = webhook.Field("Reason"),
            CallSidEndingConference = endingCallSid,
            ParticipantLabelEndingConference = webhook.Field("ParticipantLabelEndingConference"),
            AnnounceUrl = webhook.Field("AnnounceUrl"),
            ReasonAnnouncementFailed = webhook.Field("ReasonAnnouncementFailed"),
            Parameters = webhook.Parameters(),
            IdempotencyKey = idempotencyKey,
            ReceivedAt = receivedAt,
        }, errors);
    }

    private static T? Required<T>(TwilioWebhook webhook, string name, Func<T, string> toWire, Dictionary<string, string[]> errors)
        where T : struct, Enum
    {
        if (webhook.Field(name) is null)
        {
            errors[name] = [$"{name} is required, one of {ConferenceWire.Allowed(toWire)}."];
            return null;
        }

        return Optional(webhook, name, toWire, errors);
    }

    private static T? Optional<T>(TwilioWebhook webhook, string name, Func<T, string> toWire, Dictionary<string, string[]> errors)
        where T : struct, Enum
    {
        var raw = webhook.Field(name);
        if (raw is null)
        {
            return null;
        }

        if (ConferenceWire.TryParse(raw, toWire, out var value))
        {
            return value;
        }

        errors[name] = [$"{name} must be one of {ConferenceWire.Allowed(toWire)}."];
        return null;
    }
}
