using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Gateway.Twilio;

internal static partial class TwilioWebhookEndpoints
{
    /// <summary>
    /// Status-type webhooks: one contract event each, published persistently and answered 204 only after the
    /// broker confirmed it. No confirm within the publish timeout answers 503, so Twilio tries again.
    /// </summary>
    public static IEndpointRouteBuilder MapTwilioWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/twilio/voice/status", CallStatus);
        return endpoints;
    }

    private static async Task<IResult> CallStatus(
        HttpContext context,
        IBus bus,
        TimeProvider clock,
        IOptions<GatewayOptions> options,
        GatewayMetrics metrics,
        ILoggerFactory loggers)
    {
        var webhook = context.Features.GetRequiredFeature<TwilioWebhook>();
        var key = WebhookIdempotency.Key(context.Request, webhook);
        var (message, errors) = CallStatusCallbackMapper.Map(webhook, key, clock.GetUtcNow());
        if (message is null)
        {
            metrics.Rejected(context.Request.Path, "invalid-fields");
            return TypedResults.ValidationProblem(errors, title: "Invalid call status callback");
        }

        var logger = loggers.CreateLogger(typeof(TwilioWebhookEndpoints));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(options.Value.PublishTimeout);
        try
        {
            await bus.Publish(message, p => p.MessageId = WebhookIdempotency.MessageId(key), timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException && !context.RequestAborted.IsCancellationRequested)
        {
            metrics.Unavailable(context.Request.Path);
            LogPublishFailed(logger, message.CallSid, ex);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Broker unavailable",
                detail: "The callback could not be stored; Twilio should retry it.");
        }

        metrics.Accepted(context.Request.Path);
        LogPublished(logger, message.CallSid, message.CallStatus, message.SequenceNumber);
        return TypedResults.NoContent();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {CallStatus} (sequence {SequenceNumber}) for call {CallSid}")]
    private static partial void LogPublished(ILogger logger, string callSid, string callStatus, int? sequenceNumber);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not publish the status callback for call {CallSid}; answered 503")]
    private static partial void LogPublishFailed(ILogger logger, string callSid, Exception exception);
}
