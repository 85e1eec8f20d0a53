using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>The endpoint retry policy on MassTransit's in-memory harness: the layers never multiply.</summary>
public sealed class RetryPolicySpecs
{
    public sealed record Work(string Failure, int FailTimes);

    /// <summary>Fails the first <see cref="Work.FailTimes"/> attempts of each message with the named failure.</summary>
    public sealed class FlakyConsumer(Attempts attempts) : IConsumer<Work>
    {
        public Task Consume(ConsumeContext<Work> context)
        {
            var attempt = attempts.Next();
            if (attempt <= context.Message.FailTimes)
            {
                using var ownTimeout = new CancellationTokenSource();
                ownTimeout.Cancel();
                throw context.Message.Failure switch
                {
                    "outage" => new WorkInProgressException("held elsewhere"),
                    "own-timeout" => new HttpRequestException("wrapped by a client", new TaskCanceledException("a client's own timeout", null, ownTimeout.Token)),
                    "conflict" => new StreamConflictException("CA1", new InvalidOperationException("version")),
                    _ => new InvalidOperationException("a bug"),
                };
            }

            return Task.CompletedTask;
        }
    }

    public sealed class Attempts
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public int Next() => Interlocked.Increment(ref _count);
    }

    private static async Task<(ITestHarness Harness, Attempts Attempts, ServiceProvider Provider)> Start()
    {
        var options = new MessagingOptions { OutageHold = TimeSpan.FromSeconds(1), OutageRetryInterval = TimeSpan.FromMilliseconds(100) };
        options.QuickRetries.Add(TimeSpan.FromMilliseconds(1));
        options.QuickRetries.Add(TimeSpan.FromMilliseconds(1));
        options.QuickRetries.Add(TimeSpan.FromMilliseconds(1));
        options.QuickRetries.Add(TimeSpan.FromMilliseconds(1));
        var attempts = new Attempts();
        var provider = new ServiceCollection()
            .AddSingleton(attempts)
            .AddMassTransitTestHarness(x =>
            {
                x.AddConsumer<FlakyConsumer>();
                x.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseRetryPolicy(
                    new FailureClassification([new WorkInProgressClassifier(), new UnrequestedCancellationClassifier(), new PostgresFailureClassifier()]),
                    options,
                    NullLoggerFactory.Instance));
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (harness, attempts, provider);
    }

    [Fact]
    public async Task An_unknown_failure_is_tried_five_times_then_faults()
    {
        var (harness, attempts, provider) = await Start();
        await using var _ = provider;

        await harness.Bus.Publish(new Work("bug", int.MaxValue), TestContext.Current.CancellationToken);

        Assert.True(await harness.Published.Any<Fault<Work>>(TestContext.Current.CancellationToken));
        Assert.Equal(5, attempts.Count);
    }

    [Fact]
    public async Task A_conflict_that_clears_is_applied_after_quick_retries()
    {
        var (harness, attempts, provider) = await Start();
        await using var _ = provider;

        await harness.Bus.Publish(new Work("conflict", 3), TestContext.Current.CancellationToken);

        Assert.True(await harness.Consumed.Any<Work>(TestContext.Current.CancellationToken));
        await harness.InactivityTask;
        Assert.False(await harness.Published.Any<Fault<Work>>(TestContext.Current.CancellationToken));
        Assert.Equal(4, attempts.Count);
    }

    [Fact]
    public async Task An_outage_is_held_past_the_quick_retries_and_the_message_is_applied_when_it_ends()
    {
        var (harness, attempts, provider) = await Start();
        await using var _ = provider;

        await harness.Bus.Publish(new Work("outage", 8), TestContext.Current.CancellationToken);

        await harness.InactivityTask;
        Assert.False(await harness.Published.Any<Fault<Work>>(TestContext.Current.CancellationToken));
        Assert.Equal(9, attempts.Count);
    }

    [Fact]
    public async Task An_outage_longer_than_the_hold_faults_without_the_quick_retries_multiplying_it()
    {
        var (harness, attempts, provider) = await Start();
        await using var _ = provider;

        await harness.Bus.Publish(new Work("outage", int.MaxValue), TestContext.Current.CancellationToken);

        Assert.True(await harness.Published.Any<Fault<Work>>(TestContext.Current.CancellationToken));

        // A 1 s hold: 0.1 s capped quick delays (4) then 0.1 s each until 1 s: 10 retries, 11 attempts, never 11 x 5.
        Assert.Equal(11, attempts.Count);
    }

    [Fact]
    public async Task A_cancellation_the_delivery_did_not_request_is_held_as_an_outage_and_applied_when_it_ends()
    {
        var (harness, attempts, provider) = await Start();
        await using var _ = provider;

        await harness.Bus.Publish(new Work("own-timeout", 8), TestContext.Current.CancellationToken);

        await harness.InactivityTask;
        Assert.False(await harness.Published.Any<Fault<Work>>(TestContext.Current.CancellationToken));
        Assert.Equal(9, attempts.Count);
    }

    [Fact]
    public async Task A_cancellation_that_outlasts_the_hold_faults_with_the_cancellation_as_its_cause()
    {
        var (harness, attempts, provider) = await Start();
        await using var _ = provider;

        await harness.Bus.Publish(new Work("own-timeout", int.MaxValue), TestContext.Current.CancellationToken);

        Assert.True(await harness.Published.Any<Fault<Work>>(TestContext.Current.CancellationToken));
        var fault = harness.Published.Select<Fault<Work>>(TestContext.Current.CancellationToken).First().Context.Message;
        var exception = Assert.Single(fault.Exceptions);
        Assert.Equal(typeof(UnrequestedCancellationException).FullName, exception.ExceptionType);
        Assert.Contains("HttpRequestException: wrapped by a client -> TaskCanceledException: a client's own timeout", exception.Message, StringComparison.Ordinal);
        Assert.Equal(11, attempts.Count);
    }
}
