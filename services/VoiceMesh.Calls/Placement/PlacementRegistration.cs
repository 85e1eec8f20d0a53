using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Twilio.Exceptions;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Placement;

internal static class PlacementRegistration
{
    public const string Pipeline = "twilio-call-placement";

    /// <summary>
    /// Placement: Calls creates paced to the account's calls per second as they are sent, and a resilience pipeline
    /// that retries transient Twilio failures with exponential backoff and jitter behind a circuit breaker, holding
    /// placements (never failing them) until Twilio answers again or <see cref="CallsOptions.MaxPlacementHold"/> runs out.
    /// </summary>
    public static IHostApplicationBuilder AddCallPlacement(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CallsOptions>();
        builder.Services.AddSingleton<CallCreatePacer>();
        builder.Services.AddTransient<CallCreatePacingHandler>();
        builder.Services.AddTwilioClient(client => client.AddHttpMessageHandler<CallCreatePacingHandler>());
        builder.Services.AddSingleton<PlaceCallValidator>();
        builder.Services.AddScoped<TwilioCallPlacer>();
        builder.Services.AddScoped<Control.TwilioCallControl>();
        builder.Services.AddScoped<CallPlacementService>();
        builder.Services.AddResiliencePipeline(Pipeline, (pipeline, context) =>
        {
            var hold = context.ServiceProvider.GetRequiredService<IOptions<CallsOptions>>().Value.MaxPlacementHold;
            var transient = new PredicateBuilder().Handle<ApiException>(TwilioErrors.IsTransient)
                .Handle<ApiConnectionException>()
                .Handle<BrokenCircuitException>();
            pipeline
                .AddTimeout(hold)
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = transient,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(250),
                    MaxDelay = TimeSpan.FromSeconds(10),
                    MaxRetryAttempts = int.MaxValue,
                })
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                {
                    // Rate limiting is not an outage: 429s are paced and retried, never counted towards opening.
                    ShouldHandle = new PredicateBuilder()
                        .Handle<ApiException>(e => TwilioErrors.IsTransient(e) && e.Status != 429 && e.Code != 20429)
                        .Handle<ApiConnectionException>(),
                    FailureRatio = 0.5,
                    MinimumThroughput = 5,
                    SamplingDuration = TimeSpan.FromSeconds(10),
                    BreakDuration = TimeSpan.FromSeconds(5),
                });
        });
        return builder;
    }
}
