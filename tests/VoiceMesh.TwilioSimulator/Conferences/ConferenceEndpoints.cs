using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Recordings;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Conferences;

/// <summary>Conferences fetch, list, update and Participants create, list, fetch, update, delete (REFERENCE §3.3, §12).</summary>
internal static class ConferenceEndpoints
{
    public static void MapConferences(this RouteGroupBuilder accounts)
    {
        accounts.MapGet("/Conferences.json", List);
        accounts.MapGet("/Conferences/{conference}.json", (HttpContext context, string conference, ConferenceEngine engine) =>
            Json(engine.With(RestContext.Account(context).AccountSid, conference, ConferenceJson), context));
        accounts.MapPost("/Conferences/{conference}.json", UpdateAsync);
        accounts.MapGet("/Conferences/{conference}/Recordings.json", (HttpContext context, string conference, ConferenceEngine engine, RecordingStore store) =>
            engine.With(RestContext.Account(context).AccountSid, conference, room => room.Sid) is { } sid
                ? RecordingEndpoints.List(context, store, null, sid)
                : TwilioError.NotFound(context.Request.Path).ToResult());
        accounts.MapPost("/Conferences/{conference}/Participants.json", AddParticipantAsync);
        accounts.MapGet("/Conferences/{conference}/Participants.json", Participants);
        accounts.MapGet("/Conferences/{conference}/Participants/{participant}.json",
            (HttpContext context, string conference, string participant, ConferenceEngine engine) =>
                Json(engine.With<Dictionary<string, object?>>(RestContext.Account(context).AccountSid, conference, room =>
                    room.Participants.FirstOrDefault(p => p.IsPresent && (p.Call.Sid == participant || p.Label == participant)) is { } found
                        ? ParticipantJson(room, found, false)
                        : null), context));
        accounts.MapPost("/Conferences/{conference}/Participants/{participant}.json", UpdateParticipantAsync);
        accounts.MapDelete("/Conferences/{conference}/Participants/{participant}.json",
            (HttpContext context, string conference, string participant, ConferenceEngine engine) =>
                engine.RemoveParticipant(RestContext.Account(context).AccountSid, conference, participant)
                    ? Results.NoContent()
                    : TwilioError.NotFound(context.Request.Path).ToResult());
    }

    private static IResult List(HttpContext context, ConferenceEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var query = context.Request.Query;
        var filters = new List<KeyValuePair<string, string>>();
        foreach (var name in (string[])["FriendlyName", "Status"])
        {
            if (!string.IsNullOrEmpty(query[name]))
            {
                filters.Add(new(name, query[name].ToString()));
            }
        }

        var conferences = engine.List(accountSid, ConferenceJson)
            .Where(c => filters.All(f => (string?)c[f.Key == "Status" ? "status" : "friendly_name"] == f.Value))
            .ToList();
        return Results.Json(
            Paging.Page(context.Request, $"/{TwilioFormat.ApiVersion}/Accounts/{accountSid}/Conferences.json", "conferences", conferences, filters),
            TwilioFormat.Json);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string conference, ConferenceEngine engine)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var (json, error) = engine.UpdateConference(RestContext.Account(context).AccountSid, conference, form, ConferenceJson);
        return error?.ToResult() ?? Json(json, context);
    }

    private static async Task<IResult> AddParticipantAsync(HttpContext context, string conference, ConferenceEngine engine, FaultState faults)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var (accountSid, authToken) = RestContext.Account(context);
        var (participant, room, error) = engine.AddParticipant(accountSid, authToken, conference, form);
        if (participant is null || room is null)
        {
            return (error ?? TwilioError.NotFound(context.Request.Path)).ToResult();
        }

        var json = engine.With(accountSid, room.Sid, r => ParticipantJson(r, participant, true));
        return await CreateResponses.Answer(context, faults, Results.Json(json, TwilioFormat.Json, statusCode: StatusCodes.Status201Created))
            .ConfigureAwait(false);
    }

    private static IResult Participants(HttpContext context, string conference, ConferenceEngine engine)
    {
        var accountSid = RestContext.Account(context).AccountSid;
        var query = context.Request.Query;
        var filters = new List<KeyValuePair<string, string>>();
        foreach (var name in (string[])["Muted", "Hold", "Coaching"])
        {
            if (!string.IsNullOrEmpty(query[name]))
            {
                filters.Add(new(name, query[name].ToString().ToLowerInvariant()));
            }
        }

        var participants = engine.With(accountSid, conference, room => room.Participants
            .Where(p => p.IsPresent)
            .Select(p => ParticipantJson(room, p, false))
            .Where(p => filters.All(f => string.Equals(p[f.Key.ToLowerInvariant()] is true ? "true" : "false", f.Value, StringComparison.Ordinal)))
            .ToList());
        if (participants is null)
        {
            return TwilioError.NotFound(context.Request.Path).ToResult();
        }

        return Results.Json(
            Paging.Page(context.Request, context.Request.Path.Value ?? "", "participants", participants, filters),
            TwilioFormat.Json);
    }

    private static async Task<IResult> UpdateParticipantAsync(HttpContext context, string conference, string participant, ConferenceEngine engine)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var (json, error) = engine.UpdateParticipant(
            RestContext.Account(context).AccountSid, conference, participant, form, (room, p) => ParticipantJson(room, p, false));
        return error?.ToResult() ?? Json(json, context);
    }

    private static IResult Json(Dictionary<string, object?>? json, HttpContext context) =>
        json is null ? TwilioError.NotFound(context.Request.Path).ToResult() : Results.Json(json, TwilioFormat.Json);

    private static Dictionary<string, object?> ConferenceJson(SimConference c)
    {
        var uri = $"/{TwilioFormat.ApiVersion}/Accounts/{c.AccountSid}/Conferences/{c.Sid}";
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["account_sid"] = c.AccountSid,
            ["date_created"] = TwilioFormat.Rfc2822(c.DateCreated),
            ["date_updated"] = TwilioFormat.Rfc2822(c.DateUpdated),
            ["api_version"] = TwilioFormat.ApiVersion,
            ["friendly_name"] = c.FriendlyName,
            ["region"] = "us1",
            ["sid"] = c.Sid,
            ["status"] = c.Status,
            ["uri"] = uri + ".json",
            ["subresource_uris"] = new Dictionary<string, string>
            {
                ["participants"] = uri + "/Participants.json",
                ["recordings"] = uri + "/Recordings.json",
            },
            ["reason_conference_ended"] = c.ReasonConferenceEnded,
            ["call_sid_ending_conference"] = c.CallSidEndingConference,
        };
    }

    /// <summary>A participant still waiting for its call to be answered shows the call's progress.</summary>
    private static Dictionary<string, object?> ParticipantJson(SimConference room, SimParticipant p, bool created)
    {
        var status = p.Status != "queued"
            ? p.Status
            : p.Call.Status switch
            {
                "initiated" => "connecting",
                "ringing" => "ringing",
                _ => "queued",
            };
        var json = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["account_sid"] = room.AccountSid,
            ["call_sid"] = p.Call.Sid,
            ["label"] = p.Label,
            ["call_sid_to_coach"] = p.CallSidToCoach,
            ["coaching"] = p.Coaching,
            ["conference_sid"] = room.Sid,
            ["date_created"] = TwilioFormat.Rfc2822(p.DateCreated),
            ["date_updated"] = TwilioFormat.Rfc2822(p.DateUpdated),
            ["end_conference_on_exit"] = p.EndConferenceOnExit,
            ["muted"] = p.Muted,
            ["hold"] = p.Hold,
            ["start_conference_on_enter"] = p.StartConferenceOnEnter,
            ["status"] = status,
            ["uri"] = $"/{TwilioFormat.ApiVersion}/Accounts/{room.AccountSid}/Conferences/{room.Sid}/Participants/{p.Call.Sid}.json",
        };
        if (created)
        {
            json["queue_time"] = "0";
        }

        return json;
    }
}
