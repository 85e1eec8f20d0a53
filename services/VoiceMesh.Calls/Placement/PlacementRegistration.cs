using System.Threading.RateLimiting;
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
    /// Placement: the account's calls-per-second token bucket, and a resilience pipeline that retries transient
    /// Twilio failures with exponential backoff and jitter behind a circuit breaker, holding placements (never
    /// failing them) until Twilio answers again or <see cref="CallsOptions.MaxPlacementHold"/> runs out.
    /// </summary>
    public static IHostApplicationBuilder AddCallPlacement(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CallsOptions>();
        builder.Services.AddTwilioClient();
        builder.Services.AddSingleton<PlaceCallValidator>();
        builder.Services.AddScoped<TwilioCallPlacer>();
        builder.Services.AddScoped<Control.TwilioCallControl>();
        builder.Services.AddScoped<CallPlacementService>();
        builder.Services.AddSingleton<RateLimiter>(sp =>
        {
            var perSecond = sp.GetRequiredService<IOptions<CallsOptions>>().Value.CallsPerSecond;
            return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = 1,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1 / perSecond),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        });
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
                    ShouldHandle = new PredicateBuilder().Handle<ApiException>(TwilioErrors.IsTransient).Handle<ApiConnectionException>(),
                    FailureRatio = 0.5,
                    MinimumThroughput = 5,
                    SamplingDuration = TimeSpan.FromSeconds(10),
                    BreakDuration = TimeSpan.FromSeconds(5),
                });
        });
        return builder;
    }
}
