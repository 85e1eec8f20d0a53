using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Twilio.TwiML;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Flows;

/// <summary>
/// Answers Twilio's TwiML requests from flows: finds the flow (the call's own version once it has one), lets
/// <see cref="FlowDecisions"/> decide, records the turn on the call's stream through the command path, and answers
/// with the TwiML. Whatever goes wrong, or takes longer than the answer budget, the caller hears a short apology
/// (never a 5xx, which Twilio reads out as an application error) and the reason is logged and counted.
/// </summary>
public sealed partial class FlowTwiml(
    FlowStore flows,
    StreamCommands commands,
    IOptions<FlowOptions> options,
    TimeProvider clock,
    FlowMetrics metrics,
    ILogger<FlowTwiml> logger)
{
    private const int ConflictAttempts = 4;

    /// <summary>
    /// An incoming call: the flow the dialled number answers with, decided on the call's stream in one read. A call
    /// that started a flow already (Twilio asked again) keeps its own version: then the decision is left undone, that
    /// version is loaded, and the turn decided on it.
    /// </summary>
    public Task<IResult> Incoming(HttpContext context) =>
        Answer(context, FlowAction.Enter, async (request, messageId, ct) =>
        {
            var flow = await flows.Answering(request.To ?? "", options.Value.DefaultFlow, ct);
            CallFlow? startedElsewhere = null;
            var twiml = await Record(request, messageId, call =>
            {
                startedElsewhere = null;
                if (call?.Flow is { } started && (started.FlowId, started.Version) != (flow?.FlowId, flow?.Version))
                {
                    startedElsewhere = started;
                    return null;
                }

                return FlowDecisions.Start(flow ?? throw NoFlow(), call, request, clock.GetUtcNow());
            }, ct);
            if (startedElsewhere is null)
            {
                return twiml!;
            }

            var kept = await flows.Load(startedElsewhere.FlowId, startedElsewhere.Version, ct)
                ?? throw new FlowMismatchException($"Flow {startedElsewhere.FlowId} has no version {startedElsewhere.Version}.");
            return (await Record(request, messageId, call => FlowDecisions.Start(kept, call, request, clock.GetUtcNow()), ct))!;
        });

    private FlowMismatchException NoFlow() =>
        new($"No flow answers calls to this number and the default flow '{options.Value.DefaultFlow}' does not exist.");

    public Task<IResult> Continue(HttpContext context, string flowId, int version, string step, FlowAction action, int attempt) =>
        Answer(context, action, async (request, messageId, ct) =>
        {
            var flow = await flows.Load(flowId, version, ct)
                ?? throw new FlowMismatchException($"Flow {flowId} has no version {version}.");
            return (await Record(request, messageId, call => FlowDecisions.Continue(flow, step, action, attempt, call, request, clock.GetUtcNow()), ct))!;
        });

    /// <summary>Twilio's bridge request after a dequeue: the waiting caller is connected to the agent.</summary>
    public static IResult Bridge(string to, string? callerId) =>
        FlowValidator.IsDialTarget(to) && (callerId is null || E164.IsDialable(callerId))
            ? Xml(FlowDecisions.Bridge(to, callerId))
            : Xml(FlowDecisions.Apology());

    private async Task<IResult> Answer(HttpContext context, FlowAction action, Func<TwimlRequest, string, CancellationToken, Task<string>> turn)
    {
        if (!context.Request.HasFormContentType)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Twilio voice requests are application/x-www-form-urlencoded.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (TwimlRequest.Read(form) is not { } request)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["CallSid"] = ["A Twilio voice request carries its CallSid."] });
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        budget.CancelAfter(options.Value.AnswerBudget);
        var messageId = MessageId(context, form);
        try
        {
            var twiml = await turn(request, messageId, budget.Token);
            metrics.Turn(action);
            return Results.Text(twiml, "application/xml", Encoding.UTF8);
        }
        catch (FlowMismatchException ex)
        {
            return Apologise(request.CallSid, "flow-missing", ex.Message, ex);
        }
        catch (OperationCanceledException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            return Apologise(request.CallSid, "timeout", $"No answer within {options.Value.AnswerBudget}", ex);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            return Apologise(request.CallSid, ex.GetType().Name, ex.Message, ex);
        }
    }

    /// <summary>
    /// Decides the turn and stores its events; the TwiML is written out before anything is stored. Null only when
    /// <paramref name="decide"/> declined (returned null): then nothing was stored.
    /// </summary>
    private Task<string?> Record(TwimlRequest request, string messageId, Func<Call?, FlowTurn?> decide, CancellationToken ct) =>
        ConflictRetry.Run(
            async () =>
            {
                string? twiml = null;
                await commands.Execute<Call>(request.CallSid, messageId, call =>
                {
                    if (decide(call) is not { } turn)
                    {
                        return Decision.None;
                    }

                    twiml = turn.Twiml.ToString();
                    return turn.Events.ToArray();
                }, ct);
                return twiml;
            },
            ConflictAttempts,
            clock,
            ct,
            attempt => LogConflict(request.CallSid, attempt));

    private IResult Apologise(string callSid, string reason, string detail, Exception exception)
    {
        metrics.Failed(reason);
        LogApology(callSid, reason, detail, exception);
        return Xml(FlowDecisions.Apology());
    }

    private static IResult Xml(VoiceResponse twiml) => Results.Text(twiml.ToString(), "application/xml", Encoding.UTF8);

    /// <summary>Twilio's idempotency token names the request, so a retried one records nothing twice.</summary>
    private static string MessageId(HttpContext context, IFormCollection form)
    {
        if (context.Request.Headers["I-Twilio-Idempotency-Token"].ToString() is { Length: > 0 } token)
        {
            return token;
        }

        var signed = new StringBuilder(context.Request.Path).Append(context.Request.QueryString);
        foreach (var (key, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            signed.Append('&').Append(key).Append('=').Append(value.ToString());
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signed.ToString())));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallSid} got the apology TwiML ({Reason}): {Detail}")]
    private partial void LogApology(string callSid, string reason, string detail, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallSid} changed while its flow turn was decided (attempt {Attempt}); deciding again")]
    private partial void LogConflict(string callSid, int attempt);
}
