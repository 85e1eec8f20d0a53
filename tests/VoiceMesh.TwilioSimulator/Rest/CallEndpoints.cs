using System.Collections.Immutable;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.TwimlRuntime;

namespace VoiceMesh.TwilioSimulator.Rest;

/// <summary>Calls create, fetch, update and list (REFERENCE §6.1).</summary>
internal static class CallEndpoints
{
    private static readonly ImmutableArray<string> ListFilters = ["Status", "To", "From"];

    public static void MapCalls(this RouteGroupBuilder accounts)
    {
        accounts.MapPost("/Calls.json", CreateAsync);
        accounts.MapGet("/Calls.json", List);
        accounts.MapGet("/Calls/{callSid}.json", Fetch);
        accounts.MapPost("/Calls/{callSid}.json", UpdateAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, CallEngine engine, FaultState faults)
    {
        var (accountSid, authToken) = Account(context);
        if (!faults.TryAcquireCreate(accountSid))
        {
            context.Items[RestMiddleware.FaultItem] = "cps-limit";
            context.Response.Headers.RetryAfter = "1";
            return TwilioError.TooManyRequests().ToResult();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var (call, error) = engine.Create(accountSid, authToken, form);
        if (error is not null || call is null)
        {
            return (error ?? TwilioError.Of(20500, 500, "Call was not created")).ToResult();
        }

        return await CreateResponses.Answer(context, faults, Results.Json(CallJson.Of(call), TwilioFormat.Json, statusCode: StatusCodes.Status201Created))
            .ConfigureAwait(false);
    }

    private static IResult Fetch(HttpContext context, string callSid, CallEngine engine)
    {
        var (accountSid, _) = Account(context);
        return engine.Find(accountSid, callSid) is { } call
            ? Results.Json(CallJson.Of(call), TwilioFormat.Json)
            : TwilioError.NotFound(context.Request.Path).ToResult();
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string callSid, CallEngine engine, TwimlEngine twiml)
    {
        var (accountSid, _) = Account(context);
        if (engine.Find(accountSid, callSid) is not { } call)
        {
            return TwilioError.NotFound(context.Request.Path).ToResult();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var failed = twiml.Runs(call) ? await twiml.UpdateAsync(call, form).ConfigureAwait(false) : engine.Update(call, form);
        return failed is { } error
            ? error.ToResult()
            : Results.Json(CallJson.Of(call), TwilioFormat.Json);
    }

    private static IResult List(HttpContext context, CallEngine engine)
    {
        var (accountSid, _) = Account(context);
        var query = context.Request.Query;
        var filters = ListFilters
            .Where(name => !string.IsNullOrEmpty(query[name]))
            .Select(name => new KeyValuePair<string, string>(name, query[name].ToString()))
            .ToList();
        var calls = engine.List(accountSid)
            .Select(CallJson.Of)
            .Where(c => filters.All(f => f.Key switch
            {
                "Status" => c.Status == f.Value,
                "To" => c.To == f.Value,
                _ => c.From == f.Value,
            }))
            .ToList();
        return Results.Json(
            Paging.Page(context.Request, $"/{TwilioFormat.ApiVersion}/Accounts/{accountSid}/Calls.json", "calls", calls, filters),
            TwilioFormat.Json);
    }

    private static (string AccountSid, string AuthToken) Account(HttpContext context) => RestContext.Account(context);
}
