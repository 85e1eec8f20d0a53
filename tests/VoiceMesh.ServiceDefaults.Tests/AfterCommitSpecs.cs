using Microsoft.Extensions.Logging.Abstractions;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>What a just-committed decision asks is performed at once; a failure is left to the outbox, never thrown.</summary>
public sealed class AfterCommitSpecs
{
    private sealed record Asked(int N);

    private readonly AfterCommit _afterCommit = new(NullLogger<AfterCommit>.Instance);

    [Fact]
    public async Task Each_stored_decision_of_the_type_is_performed_in_order_and_other_events_are_not()
    {
        var performed = new List<int>();
        var count = await _afterCommit.Perform<Asked>([new Asked(1), "not a decision", new Asked(2)], a =>
        {
            performed.Add(a.N);
            return Task.CompletedTask;
        }, TestContext.Current.CancellationToken);

        Assert.Equal([1, 2], performed);
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task A_failed_performance_is_not_thrown_at_the_committed_writer_and_the_next_is_still_performed()
    {
        var performed = new List<int>();
        var count = await _afterCommit.Perform<Asked>([new Asked(1), new Asked(2)], a =>
        {
            if (a.N == 1)
            {
                throw new HttpRequestException("Twilio answered 503");
            }

            performed.Add(a.N);
            return Task.CompletedTask;
        }, TestContext.Current.CancellationToken);

        Assert.Equal([2], performed);
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Nothing_stored_performs_nothing() =>
        Assert.Equal(0, await _afterCommit.Perform<Asked>([], _ => throw new InvalidOperationException("not called"), TestContext.Current.CancellationToken));
}
