using System.Globalization;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.MediaStreams;

/// <summary>
/// A call's Streams sub-resource (REFERENCE §11.2), as <c>Twilio.Rest.Api.V2010.Account.Call.StreamResource</c> calls it:
/// create a one-way stream on a live call (200, not 201) and stop one by sid or name with <c>Status=stopped</c>.
/// There is no fetch, list or delete.
/// </summary>
internal static class StreamEndpoints
{
    private const int MaxParameters = 99;

    public static void MapCallStreams(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/Calls/{callSid}/Streams.json", CreateAsync);
        accounts.MapPost("/Calls/{callSid}/Streams/{sidOrName}.json", UpdateAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string callSid, CallEngine calls, CallStreams streams)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        if (calls.Find(accountSid, callSid) is not { } call)
        {
            return TwilioError.NotFound(context.Request.Path).ToResult();
        }

        var form = await FormAsync(context).ConfigureAwait(false);
        var (request, error) = Parse(form);
        if (error is not null)
        {
            return error.ToResult();
        }

        lock (call.Gate)
        {
            if (call.Status != "in-progress")
            {
                return TwilioError.Of(21220, 400, $"Call {callSid} is not in-progress. Cannot start a stream.").ToResult();
            }
        }

        return Results.Json(streams.Start(call, request!).ToJson(accountSid), TwilioFormat.Json);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string callSid, string sidOrName, CallEngine calls, CallStreams streams)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        if (calls.Find(accountSid, callSid) is null)
        {
            return TwilioError.NotFound(context.Request.Path).ToResult();
        }

        var form = await FormAsync(context).ConfigureAwait(false);
        if (form["Status"] != "stopped")
        {
            return TwilioError.Of(20001, 400, $"Status must be stopped, not {(string?)form["Status"] ?? "(none)"}").ToResult();
        }

        return streams.Stop(callSid, sidOrName) is { } stream
            ? Results.Json(stream.ToJson(accountSid), TwilioFormat.Json)
            : TwilioError.NotFound(context.Request.Path).ToResult();
    }

    /// <summary>Create's fields: <c>Url</c> (required, wss), <c>Name</c>, <c>Track</c>, <c>StatusCallback(Method)</c>, <c>ParameterN.Name/Value</c> (N = 1-99).</summary>
    internal static (StreamRequest? Request, TwilioError? Error) Parse(IFormCollection form)
    {
        var url = (string?)form["Url"];
        if (string.IsNullOrEmpty(url))
        {
            return (null, TwilioError.Of(20001, 400, "Missing required parameter Url in the post body"));
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "wss")
        {
            return (null, TwilioError.Of(21205, 400, $"Url is not a valid wss:// URL: {url}"));
        }

        var track = (string?)form["Track"] ?? "inbound_track";
        if (!StreamTracks.All.Contains(track))
        {
            return (null, TwilioError.Of(20001, 400, $"Track must be inbound_track, outbound_track or both_tracks, not {track}"));
        }

        var method = (string?)form["StatusCallbackMethod"] ?? "POST";
        if (method is not ("GET" or "POST"))
        {
            return (null, TwilioError.Of(20001, 400, $"StatusCallbackMethod must be GET or POST, not {method}"));
        }

        var callback = (string?)form["StatusCallback"];
        if (callback is not null && (!Uri.TryCreate(callback, UriKind.Absolute, out var callbackUri) || callbackUri.Scheme is not ("http" or "https")))
        {
            return (null, TwilioError.Of(21205, 400, $"StatusCallback is not an http(s) URL: {callback}"));
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in form.Keys.Where(k => k.StartsWith("Parameter", StringComparison.Ordinal)))
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0 || !int.TryParse(key.AsSpan(9, dot - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                || n is < 1 or > MaxParameters || key[(dot + 1)..] is not ("Name" or "Value"))
            {
                return (null, TwilioError.Of(20001, 400, $"{key} is not a stream parameter: use Parameter1.Name/Value to Parameter{MaxParameters}.Name/Value"));
            }

            if (key.EndsWith(".Name", StringComparison.Ordinal))
            {
                if (string.IsNullOrEmpty(form[key]))
                {
                    return (null, TwilioError.Of(20001, 400, $"{key} cannot be empty"));
                }

                parameters[form[key]!] = (string?)form[$"Parameter{n}.Value"] ?? "";
            }
            else if (!form.ContainsKey($"Parameter{n}.Name"))
            {
                return (null, TwilioError.Of(20001, 400, $"{key} has no Parameter{n}.Name"));
            }
        }

        return (new StreamRequest(url, NullIfEmpty(form["Name"]), track, parameters, callback, method, Bidirectional: false), null);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static async Task<IFormCollection> FormAsync(HttpContext context) =>
        context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false)
            : FormCollection.Empty;
}
