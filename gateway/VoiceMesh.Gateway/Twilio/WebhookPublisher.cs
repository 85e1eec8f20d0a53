using System.Diagnostics;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>Maps a validated webhook to its contract and answers Twilio only once it is safely stored.</summary>
internal delegate (T? Message, Dictionary<string, string[]> Errors) WebhookMapper<T>(
    TwilioWebhook webhook, string idempotencyKey, DateTimeOffset receivedAt)
    where T : class;

/// <summary>
/// Publishes a webhook's event persistently under a message id derived from the webhook, and answers 204 only
/// after the broker confirmed it. No confirm within the publish timeout answers 503, so Twilio tries again;
/// missing or invalid fields answer 400 and publish nothing.
/// </summary>
internal sealed partial class WebhookPublisher(
    IBus bus,
    TimeProvider clock,
    IOptions<GatewayOptions> options,
    GatewayMetrics metrics,
    ILogger<WebhookPublisher> logger)
{
    public async Task<IResult> Publish<T>(HttpContext context, WebhookMapper<T> map, Func<T, string> callSid)
        where T : class
    {
        var webhook = context.Features.GetRequiredFeature<TwilioWebhook>();
        var key = WebhookIdempotency.Key(context.Request, webhook);
        var (message, errors) = map(webhook, key, clock.GetUtcNow());
        if (message is null)
        {
            metrics.Rejected(context.Request.Path, "invalid-fields");
            return TypedResults.ValidationProblem(errors, title: $"Invalid {typeof(T).Name} webhook");
        }

        var eventName = typeof(T).Name;
        var sid = callSid(message);
        TwilioSpanTags.Tag(Activity.Current, message);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(options.Value.PublishTimeout);
        var started = clock.GetTimestamp();
        try
        {
            await bus.Publish(message, p => p.MessageId = WebhookIdempotency.MessageId(key), timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MassTransitException && !context.RequestAborted.IsCancellationRequested)
        {
            metrics.Published(
                context.Request.Path, clock.GetElapsedTime(started), ex is OperationCanceledException ? GatewayMetrics.PublishTimeout : ex.GetType().FullName);
            metrics.Unavailable(context.Request.Path);
            LogPublishFailed(eventName, sid, ex);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Broker unavailable",
                detail: "The webhook could not be stored; Twilio should retry it.");
        }

        metrics.Published(context.Request.Path, clock.GetElapsedTime(started), errorType: null);
        metrics.Accepted(context.Request.Path);
        LogPublished(eventName, sid);
        return TypedResults.NoContent();
    }

    // Debug: at thousands of webhooks a second an Information line each costs more than its trace, which already
    // records every accepted webhook (with its sids) and which the SREs search; rejections and failures stay loud.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Published {Event} for call {CallSid}")]
    private partial void LogPublished(string @event, string callSid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not publish {Event} for call {CallSid}; answered 503")]
    private partial void LogPublishFailed(string @event, string callSid, Exception exception);
}
