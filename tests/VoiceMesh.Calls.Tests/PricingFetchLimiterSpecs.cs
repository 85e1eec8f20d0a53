using System.Diagnostics;
using Microsoft.Extensions.Options;
using VoiceMesh.Calls.Costs;

namespace VoiceMesh.Calls.Tests;

public sealed class PricingFetchLimiterSpecs
{
    [Fact]
    public async Task Fetches_beyond_the_rate_wait_for_the_next_second()
    {
        using var limiter = new PricingFetchLimiter(Options.Create(new PricingOptions { FetchesPerSecond = 2 }));
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();

        using var first = await limiter.Acquire(ct);
        using var second = await limiter.Acquire(ct);
        var third = limiter.Acquire(ct);
        var waitedAtOnce = !third.IsCompleted;
        using var thirdLease = await third;

        Assert.True(first.IsAcquired && second.IsAcquired && thirdLease.IsAcquired);
        Assert.True(waitedAtOnce, "the third fetch of a second was let through at once");
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5));
    }
}
