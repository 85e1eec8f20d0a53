using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>
/// A call's Recordings sub-resource, as <c>Twilio.Rest.Api.V2010.Account.Call.RecordingResource</c> calls it:
/// create (201), list, fetch, and update with <c>Status</c> (the sid may be <c>Twilio.CURRENT</c>).
/// </summary>
internal static class CallRecordingEndpoints
{
    public static void MapCallRecordings(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/Calls/{callSid}/Recordings.json", CreateAsync);
        accounts.MapGet("/Calls/{callSid}/Recordings.json", (HttpContext context, string callSid, RecordingStore store) =>
            RecordingEndpoints.List(context, store, callSid));
        accounts.MapGet("/Calls/{callSid}/Recordings/{sid}.json", Fetch);
        accounts.MapPost("/Calls/{callSid}/Recordings/{sid}.json", UpdateAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string callSid, CallEngine calls, CallRecordings recordings)
    {
        if (calls.Find(RestContext.Account(context).AccountSid, callSid) is not { } call)
        {
            return TwilioError.NotFound(context.Request.Path).ToResult();
        }

        var (recording, error) = recordings.Start(call, await FormAsync(context).ConfigureAwait(false));
        return recording is null
            ? error!.ToResult()
            : Results.Json(RecordingEndpoints.ToJson(recording, callScoped: true), TwilioFormat.Json, statusCode: StatusCodes.Status201Created);
    }

    private static IResult Fetch(HttpContext context, string callSid, string sid, RecordingStore store) =>
        store.Find(RestContext.Account(context).AccountSid, sid) is { } recording && recording.CallSid == callSid
            ? Results.Json(RecordingEndpoints.ToJson(recording, callScoped: true), TwilioFormat.Json)
            : TwilioError.NotFound(context.Request.Path).ToResult();

    private static async Task<IResult> UpdateAsync(HttpContext context, string callSid, string sid, CallEngine calls, CallRecordings recordings)
    {
        if (calls.Find(RestContext.Account(context).AccountSid, callSid) is not { } call)
        {
            return TwilioError.NotFound(context.Request.Path).ToResult();
        }

        var (recording, shownStatus, error) = recordings.Update(call, sid, await FormAsync(context).ConfigureAwait(false));
        return recording is null
            ? error!.ToResult()
            : Results.Json(RecordingEndpoints.ToJson(recording, callScoped: true, shownStatus), TwilioFormat.Json);
    }

    private static async Task<IFormCollection> FormAsync(HttpContext context) =>
        context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false)
            : FormCollection.Empty;
}
