using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceMesh.Contracts.Numbers;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>Leasing a pooled caller id over the bus: NumberPool's answers, and its silence held as an outage.</summary>
public sealed class PooledCallerIdsSpecs
{
    private static readonly Guid Lease = Guid.Parse("0193a1b2-0000-7000-8000-000000000002");

    public sealed class Lender : IConsumer<AcquireCallerId>
    {
        public Task Consume(ConsumeContext<AcquireCallerId> context) => context.Message.Pool == "empty"
            ? context.RespondAsync(new CallerIdUnavailable
            {
                RequestId = context.Message.RequestId, Reason = CallerIdUnavailableReasons.PoolExhausted, Detail = "0 active", OccurredAt = DateTimeOffset.UnixEpoch,
            })
            : context.RespondAsync(new CallerIdAcquired
            {
                RequestId = context.Message.RequestId, LeaseId = Lease, CallerId = "+14155550199", Match = CallerIdMatches.AreaCode,
                ExpiresAt = DateTimeOffset.UnixEpoch, OccurredAt = DateTimeOffset.UnixEpoch,
            });
    }

    /// <summary>With <paramref name="withLender"/> false nothing answers, and the request times out after 300 ms.</summary>
    private static async Task<(PooledCallerIds CallerIds, ServiceProvider Provider)> Start(bool withLender)
    {
        var provider = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddPooledCallerIds()
            .AddMassTransitTestHarness(x =>
            {
                if (withLender)
                {
                    x.AddConsumer<Lender>();
                }

                // A lender's answer is given all the time a loaded machine may need; silence is found out quickly.
                x.AddRequestClient<AcquireCallerId>(withLender ? RequestTimeout.After(s: 30) : RequestTimeout.After(ms: 300));
            })
            .BuildServiceProvider(true);
        await provider.GetRequiredService<ITestHarness>().Start();
        return (provider.CreateScope().ServiceProvider.GetRequiredService<PooledCallerIds>(), provider);
    }

    [Fact]
    public async Task A_lease_or_the_pools_reason_comes_back()
    {
        var (callerIds, provider) = await Start(withLender: true);
        await using var _ = provider;

        var (lease, none) = await callerIds.Acquire("req-1", "sales", "+14155550100", TestContext.Current.CancellationToken);
        var (noLease, refusal) = await callerIds.Acquire("req-2", "empty", "+14155550100", TestContext.Current.CancellationToken);

        Assert.Equal((Lease, "+14155550199", (string?)null), (lease!.LeaseId, lease.CallerId, none));
        Assert.Null(noLease);
        Assert.Equal("Pool empty lent no caller id: pool-exhausted (0 active).", refusal);
    }

    [Fact]
    public async Task NumberPool_not_answering_is_an_outage_the_endpoint_holds_the_request_through()
    {
        var (callerIds, provider) = await Start(withLender: false);
        await using var _ = provider;

        var silence = await Assert.ThrowsAsync<CallerIdPoolUnavailableException>(
            () => callerIds.Acquire("req-3", "sales", "+14155550100", TestContext.Current.CancellationToken));

        Assert.Equal(FailureKind.Outage, new FailureClassification([new WorkInProgressClassifier()]).Classify(silence));
    }
}
