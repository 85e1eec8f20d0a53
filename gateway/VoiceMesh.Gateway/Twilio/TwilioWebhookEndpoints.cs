namespace VoiceMesh.Gateway.Twilio;

internal static class TwilioWebhookEndpoints
{
    /// <summary>Status-type webhooks: each becomes one contract event, published before it is answered.</summary>
    public static IEndpointRouteBuilder MapTwilioWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/twilio/voice/status", (HttpContext context, WebhookPublisher publisher) =>
            publisher.Publish(context, CallStatusCallbackMapper.Map, m => m.CallSid));
        endpoints.MapPost("/twilio/voice/amd", (HttpContext context, WebhookPublisher publisher) =>
            publisher.Publish(context, AmdCallbackMapper.Map, m => m.CallSid));
        endpoints.MapPost("/twilio/conference/status", (HttpContext context, WebhookPublisher publisher) =>
            publisher.Publish(context, ConferenceCallbackMapper.Map, m => m.ConferenceSid));
        endpoints.MapPost("/twilio/recording/status", (HttpContext context, WebhookPublisher publisher) =>
            publisher.Publish(context, RecordingCallbackMapper.Map, m => m.CallSid ?? m.RecordingSid));
        endpoints.MapPost("/twilio/stream/status", (HttpContext context, WebhookPublisher publisher) =>
            publisher.Publish(context, StreamStatusCallbackMapper.Map, m => m.CallSid));
        return endpoints;
    }
}
