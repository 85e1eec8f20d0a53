using System.Globalization;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.TwilioSimulator.Rest;

/// <summary>Twilio's Call resource (REFERENCE §6.1), serialised snake_case.</summary>
internal sealed record CallJson(
    string Sid,
    string DateCreated,
    string DateUpdated,
    string? ParentCallSid,
    string AccountSid,
    string To,
    string ToFormatted,
    string From,
    string FromFormatted,
    string? PhoneNumberSid,
    string Status,
    string? StartTime,
    string? EndTime,
    string? Duration,
    string? Price,
    string PriceUnit,
    string Direction,
    string? AnsweredBy,
    string ApiVersion,
    string? ForwardedFrom,
    string? GroupSid,
    string? CallerName,
    string QueueTime,
    string? TrunkSid,
    string Uri,
    IReadOnlyDictionary<string, string> SubresourceUris)
{
    public static CallJson Of(SimCall call)
    {
        lock (call.Gate)
        {
            var uri = $"/{TwilioFormat.ApiVersion}/Accounts/{call.AccountSid}/Calls/{call.Sid}";
            return new CallJson(
                call.Sid,
                TwilioFormat.Rfc2822(call.DateCreated),
                TwilioFormat.Rfc2822(call.DateUpdated),
                null,
                call.AccountSid,
                call.To,
                call.To,
                call.From,
                call.From,
                null,
                RestStatus(call.Status),
                TwilioFormat.Rfc2822(call.StartTime),
                TwilioFormat.Rfc2822(call.EndTime),
                call.EndTime is null ? null : call.DurationSeconds.ToString(CultureInfo.InvariantCulture),
                call.PriceSet ? call.Price?.Price : null,
                call.PriceSet && call.Price is { } price ? price.PriceUnit : "USD",
                call.Direction,
                call.AnsweredBy,
                TwilioFormat.ApiVersion,
                null,
                null,
                null,
                "0",
                null,
                uri + ".json",
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["notifications"] = uri + "/Notifications.json",
                    ["recordings"] = uri + "/Recordings.json",
                    ["events"] = uri + "/Events.json",
                    ["streams"] = uri + "/Streams.json",
                });
        }
    }

    /// <summary>The REST enum has no <c>initiated</c>: such a call still reads as queued.</summary>
    public static string RestStatus(string status) => status == "initiated" ? "queued" : status;
}
