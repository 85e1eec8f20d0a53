using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>Recordings fetch, list, delete and media (REFERENCE §4.3). Media needs no credentials, as on Twilio by default.</summary>
internal static class RecordingEndpoints
{
    public static void MapRecordings(this RouteGroupBuilder accounts)
    {
        accounts.MapGet("/Recordings.json", (HttpContext context, RecordingStore store) =>
            List(context, store, context.Request.Query["CallSid"].ToString()));
        accounts.MapGet("/Calls/{callSid}/Recordings.json", (HttpContext context, string callSid, RecordingStore store) =>
            List(context, store, callSid));
        accounts.MapGet("/Recordings/{sid}.json", (HttpContext context, string sid, RecordingStore store) =>
            store.Find(RestContext.Account(context).AccountSid, sid) is { } recording
                ? Results.Json(ToJson(recording), TwilioFormat.Json)
                : TwilioError.NotFound(context.Request.Path).ToResult());
        accounts.MapDelete("/Recordings/{sid}.json", (HttpContext context, string sid, RecordingStore store) =>
            store.Delete(RestContext.Account(context).AccountSid, sid)
                ? Results.NoContent()
                : TwilioError.NotFound(context.Request.Path).ToResult());
        accounts.MapGet("/Recordings/{sid}.wav", (HttpContext context, string accountSid, string sid, RecordingStore store) =>
            store.Find(accountSid, sid) is { } recording
                ? Results.File(WavFile.Tone(recording.DurationSeconds), "audio/x-wav")
                : TwilioError.NotFound(context.Request.Path).ToResult());
    }

    /// <summary>Media URLs (<c>.wav</c>) are fetched without credentials.</summary>
    public static bool IsMedia(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value is { } path
        && path.Contains("/Recordings/", StringComparison.Ordinal) && path.EndsWith(".wav", StringComparison.Ordinal);

    public static string MediaUrl(string accountSid, string sid) =>
        $"https://api.twilio.com/{TwilioFormat.ApiVersion}/Accounts/{accountSid}/Recordings/{sid}";

    private static IResult List(HttpContext context, RecordingStore store, string? callSid)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var filters = string.IsNullOrEmpty(callSid) ? [] : new[] { new KeyValuePair<string, string>("CallSid", callSid) };
        var recordings = store.List(accountSid, string.IsNullOrEmpty(callSid) ? null : callSid).Select(ToJson).ToList();
        return Results.Json(
            Paging.Page(context.Request, context.Request.Path.Value ?? "", "recordings", recordings, filters),
            TwilioFormat.Json);
    }

    private static Dictionary<string, object?> ToJson(SimRecording r)
    {
        var uri = $"/{TwilioFormat.ApiVersion}/Accounts/{r.AccountSid}/Recordings/{r.Sid}";
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["account_sid"] = r.AccountSid,
            ["api_version"] = TwilioFormat.ApiVersion,
            ["call_sid"] = r.CallSid,
            ["conference_sid"] = null,
            ["date_created"] = TwilioFormat.Rfc2822(r.DateCreated),
            ["date_updated"] = TwilioFormat.Rfc2822(r.DateCreated),
            ["start_time"] = TwilioFormat.Rfc2822(r.StartTime),
            ["duration"] = r.DurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sid"] = r.Sid,
            ["price"] = null,
            ["price_unit"] = "USD",
            ["status"] = "completed",
            ["channels"] = 1,
            ["source"] = r.Source,
            ["error_code"] = null,
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
