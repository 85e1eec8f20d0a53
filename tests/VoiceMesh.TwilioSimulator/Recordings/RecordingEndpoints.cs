using System.Globalization;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>Recordings fetch, list, delete and media (REFERENCE §4.3). Media needs no credentials, as on Twilio by default.</summary>
internal static class RecordingEndpoints
{
    public static void MapRecordings(this RouteGroupBuilder accounts)
    {
        accounts.MapGet("/Recordings.json", (HttpContext context, RecordingStore store) =>
            List(context, store, context.Request.Query["CallSid"].ToString(), context.Request.Query["ConferenceSid"].ToString()));
        accounts.MapGet("/Recordings/{sid}.json", (HttpContext context, string sid, RecordingStore store) =>
            store.Find(RestContext.Account(context).AccountSid, sid) is { } recording
                ? Results.Json(ToJson(recording), TwilioFormat.Json)
                : TwilioError.NotFound(context.Request.Path).ToResult());
        accounts.MapDelete("/Recordings/{sid}.json", (HttpContext context, string sid, RecordingStore store) =>
            store.Delete(RestContext.Account(context).AccountSid, sid)
                ? Results.NoContent()
                : TwilioError.NotFound(context.Request.Path).ToResult());
        accounts.MapGet("/Recordings/{sid}.wav", (HttpContext context, string accountSid, string sid, RecordingMediaServer media) =>
            media.ServeAsync(context, accountSid, sid));
    }

    /// <summary>Media URLs (<c>.wav</c>) are fetched without credentials.</summary>
    public static bool IsMedia(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value is { } path
        && path.Contains("/Recordings/", StringComparison.Ordinal) && path.EndsWith(".wav", StringComparison.Ordinal);

    public static string MediaUrl(string accountSid, string sid) =>
        $"https://api.twilio.com/{TwilioFormat.ApiVersion}/Accounts/{accountSid}/Recordings/{sid}";

    /// <summary>
    /// The account's recordings, or (with <paramref name="callSid"/> or <paramref name="conferenceSid"/>) one call's or
    /// one conference's. A filter the path already names is not repeated in the paging URIs.
    /// </summary>
    public static IResult List(HttpContext context, RecordingStore store, string? callSid, string? conferenceSid = null)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var path = context.Request.Path.Value ?? "";
        List<KeyValuePair<string, string>> filters = [];
        if (!string.IsNullOrEmpty(callSid) && !path.Contains("/Calls/", StringComparison.Ordinal))
        {
            filters.Add(new("CallSid", callSid));
        }

        if (!string.IsNullOrEmpty(conferenceSid) && !path.Contains("/Conferences/", StringComparison.Ordinal))
        {
            filters.Add(new("ConferenceSid", conferenceSid));
        }

        var recordings = store.List(accountSid, NullIfEmpty(callSid), NullIfEmpty(conferenceSid)).Select(r => ToJson(r)).ToList();
        return Results.Json(
            Paging.Page(context.Request, path, "recordings", recordings, filters),
            TwilioFormat.Json);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>
    /// The Recording resource. <paramref name="shownStatus"/> overrides the status (a stop answers <c>stopped</c>
    /// although the recording is already complete); the <c>uri</c> is the call's sub-resource when <paramref name="callScoped"/>.
    /// </summary>
    public static Dictionary<string, object?> ToJson(SimRecording r, bool callScoped = false, string? shownStatus = null)
    {
        lock (r.Gate)
        {
            var uri = callScoped
                ? $"/{TwilioFormat.ApiVersion}/Accounts/{r.AccountSid}/Calls/{r.CallSid}/Recordings/{r.Sid}"
                : $"/{TwilioFormat.ApiVersion}/Accounts/{r.AccountSid}/Recordings/{r.Sid}";
            return new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["account_sid"] = r.AccountSid,
                ["api_version"] = TwilioFormat.ApiVersion,
                ["call_sid"] = r.CallSid,
                ["conference_sid"] = r.ConferenceSid,
                ["date_created"] = TwilioFormat.Rfc2822(r.DateCreated),
                ["date_updated"] = TwilioFormat.Rfc2822(r.DateUpdated),
                ["start_time"] = TwilioFormat.Rfc2822(r.StartTime),
                ["duration"] = r.DurationSeconds.ToString(CultureInfo.InvariantCulture),
                ["sid"] = r.Sid,
                ["price"] = null,
                ["price_unit"] = "USD",
                ["status"] = shownStatus ?? r.Status,
                ["channels"] = r.Channels,
                ["source"] = r.Source,
                ["track"] = r.Track,
                ["error_code"] = r.ErrorCode,
                ["uri"] = uri + ".json",
                ["encryption_details"] = null,
                ["subresource_uris"] = new Dictionary<string, string>
                {
                    ["add_on_results"] = uri + "/AddOnResults.json",
                    ["transcriptions"] = uri + "/Transcriptions.json",
                },
                ["media_url"] = MediaUrl(r.AccountSid, r.Sid),
            };
        }
    }
}
