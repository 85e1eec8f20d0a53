using System.Text.Json;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Recordings;
using VoiceMesh.TwilioSimulator.TwimlRuntime;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.TwilioSimulator.Admin;

/// <summary>The admin API under <c>/_sim</c> (JSON, no authentication: the simulator binds to 127.0.0.1 only).</summary>
internal static class AdminEndpoints
{
    public static void MapSimulatorAdmin(this IEndpointRouteBuilder app)
    {
        var sim = app.MapGroup("/_sim");
        sim.MapGet("/requests", (SimulatorControl control) => control.Requests);
        sim.MapGet("/webhooks", (SimulatorControl control) => control.Webhooks);
        sim.MapDelete("/logs", (SimulatorControl control) =>
        {
            control.ClearLogs();
            return Results.NoContent();
        });

        sim.MapGet("/outcomes", (SimulatorControl control) => control.Outcomes);
        sim.MapPost("/outcomes", (OutcomeRule rule, SimulatorControl control) =>
        {
            control.AddOutcome(rule);
            return Results.Created("/_sim/outcomes", rule);
        });
        sim.MapDelete("/outcomes", (SimulatorControl control) =>
        {
            control.ClearOutcomes();
            return Results.NoContent();
        });

        sim.MapGet("/answer-rates", (SimulatorControl control) => control.AnswerRates);
        sim.MapPost("/answer-rates", (CallerAnswerRate rate, SimulatorControl control) =>
        {
            try
            {
                control.SetAnswerRate(rate);
            }
            catch (ArgumentOutOfRangeException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: e.Message);
            }

            return Results.Created("/_sim/answer-rates", rate);
        });

        sim.MapGet("/pricing", (SimulatorControl control) => control.Pricing);
        sim.MapPut("/pricing", (CallPriceList list, SimulatorControl control) =>
        {
            try
            {
                control.Pricing = list;
            }
            catch (ArgumentException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: e.Message);
            }

            return Results.Ok(list);
        });
        sim.MapGet("/calls/prices", (SimulatorControl control) => control.CallPrices);
        sim.MapGet("/calls/{callSid}/price", (string callSid, SimulatorControl control) =>
            control.CallPrice(callSid) is { } price
                ? Results.Ok(price)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"No ended call {callSid}"));

        sim.MapPut("/webhooks/chaos", (WebhookChaos chaos, SimulatorControl control) =>
        {
            control.WebhookChaos = chaos;
            return Results.Ok(chaos);
        });
        sim.MapPut("/webhooks/target", (WebhookTargetRequest target, SimulatorControl control) =>
        {
            control.WebhookTarget = target.Url;
            return Results.Ok(target);
        });

        sim.MapPut("/faults/errors", (InjectedErrors errors, SimulatorControl control) =>
        {
            control.InjectErrors(errors);
            return Results.Ok(errors);
        });
        sim.MapPut("/faults/latency", (LatencyRequest latency, SimulatorControl control) =>
        {
            control.SetLatency(TimeSpan.FromMilliseconds(latency.Milliseconds));
            return Results.Ok(latency);
        });
        sim.MapPut("/faults/cps", (CpsRequest cps, SimulatorControl control) =>
        {
            control.SetCallsPerSecond(cps.Limit, cps.AccountSid);
            return Results.Ok(cps);
        });
        sim.MapPut("/faults/create-response", (CreateResponseFault fault, SimulatorControl control) =>
        {
            control.FailCreateResponses(fault);
            return Results.Ok(fault);
        });
        sim.MapDelete("/faults", (SimulatorControl control) =>
        {
            control.ClearFaults();
            return Results.NoContent();
        });

        sim.MapPost("/calls/inbound", StartInboundAsync);
        sim.MapGet("/calls/{callSid}/twiml", (string callSid, TwimlEngine engine) =>
            engine.Log(callSid) is { } log
                ? Results.Ok(log)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"No inbound call {callSid}"));

        sim.MapPut("/recordings/{recordingSid}/media", SetRecordingMediaAsync);
        sim.MapGet("/recordings/downloads", (SimulatorControl control, string? recordingSid) =>
            recordingSid is null ? control.MediaDownloads : [.. control.MediaDownloads.Where(d => d.RecordingSid == recordingSid)]);

        sim.MapGet("/conferences/{sidOrName}", (string sidOrName, string? accountSid, SimulatorControl control) =>
            control.ConferenceRecord(sidOrName, accountSid) is { } record
                ? Results.Ok(record)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"No conference {sidOrName}"));

        sim.MapPost("/conferences/{sidOrName}/participants/{callSid}/speech", SpeakAsync);

        sim.MapPost("/accounts", (AccountRequest account, SimulatorControl control) =>
        {
            control.AddAccount(account.AccountSid, account.AuthToken);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> StartInboundAsync(HttpContext context, TwimlEngine engine)
    {
        InboundCallRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<InboundCallRequest>(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: e.Message);
        }

        if (request is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "A JSON body is required");
        }

        var started = engine.StartInbound(request);
        return started.CallSid is { } callSid
            ? Results.Created($"/_sim/calls/{callSid}/twiml", new InboundCallCreated(callSid))
            : Results.Problem(
                statusCode: started.Status, title: started.Status == StatusCodes.Status404NotFound ? "Not Found" : "Bad Request", detail: started.Error);
    }

    private static async Task<IResult> SetRecordingMediaAsync(HttpContext context, string recordingSid, SimulatorControl control)
    {
        try
        {
            var settings = await context.Request.ReadFromJsonAsync<RecordingMediaSettings>(context.RequestAborted).ConfigureAwait(false)
                ?? throw new JsonException("A JSON body is required");
            control.SetRecordingMedia(recordingSid, settings);
            return Results.Ok(settings);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: e.Message);
        }
        catch (KeyNotFoundException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: e.Message);
        }
    }

    private static async Task<IResult> SpeakAsync(HttpContext context, string sidOrName, string callSid, string? accountSid, SimulatorControl control)
    {
        try
        {
            var request = await context.Request.ReadFromJsonAsync<SpeechRequest>(context.RequestAborted).ConfigureAwait(false);
            if (request?.Speaking is not { } speaking)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: "A JSON body with a boolean speaking is required");
            }

            control.SetSpeaking(sidOrName, callSid, speaking, accountSid);
            return Results.NoContent();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request", detail: e.Message);
        }
        catch (KeyNotFoundException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: e.Message);
        }
    }

    internal sealed record SpeechRequest(bool? Speaking);

    internal sealed record InboundCallCreated(string CallSid);

    internal sealed record WebhookTargetRequest(Uri? Url);

    internal sealed record LatencyRequest(double Milliseconds);

    internal sealed record CpsRequest(int? Limit, string? AccountSid);

    internal sealed record AccountRequest(string AccountSid, string AuthToken);
}
