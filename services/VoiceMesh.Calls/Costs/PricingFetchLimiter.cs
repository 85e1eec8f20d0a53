using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Calls.Costs;

/// <summary>
/// Paces pricing's Twilio fetches on this instance to <see cref="PricingOptions.FetchesPerSecond"/> (a token bucket
/// refilled every second, one second's worth of burst), so a backlog of unpriced calls never floods Twilio's REST API.
/// </summary>
public sealed class PricingFetchLimiter(IOptions<PricingOptions> options) : IDisposable
{
    private readonly TokenBucketRateLimiter _bucket = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = options.Value.FetchesPerSecond,
        TokensPerPeriod = options.Value.FetchesPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 1,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    });

    /// <summary>Waits for the next fetch's turn.</summary>
    public ValueTask<RateLimitLease> Acquire(CancellationToken cancellationToken) => _bucket.AcquireAsync(1, cancellationToken);

    public void Dispose() => _bucket.Dispose();
}
