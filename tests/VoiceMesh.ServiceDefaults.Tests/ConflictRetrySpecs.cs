namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>A decision whose stream changed meanwhile is decided again, a bounded number of times.</summary>
public sealed class ConflictRetrySpecs
{
    private static StreamConflictException Conflict() => new("CA1", new InvalidOperationException("version"));

    [Fact]
    public async Task A_decision_that_conflicts_twice_is_decided_a_third_time_and_its_result_returned()
    {
        var tried = 0;
        var conflicts = new List<int>();

        var result = await ConflictRetry.Run(
            () => ++tried < 3 ? throw Conflict() : Task.FromResult("stored"), 4, TimeProvider.System, TestContext.Current.CancellationToken, conflicts.Add);

        Assert.Equal(("stored", 3), (result, tried));
        Assert.Equal([1, 2], conflicts);
    }

    [Fact]
    public async Task A_conflict_on_the_last_attempt_goes_to_the_caller()
    {
        var tried = 0;

        await Assert.ThrowsAsync<StreamConflictException>(() => ConflictRetry.Run<string>(
            () => { tried++; throw Conflict(); }, 4, TimeProvider.System, TestContext.Current.CancellationToken));

        Assert.Equal(4, tried);
    }

    [Fact]
    public async Task Any_other_failure_is_not_decided_again()
    {
        var tried = 0;

        await Assert.ThrowsAsync<InvalidOperationException>(() => ConflictRetry.Run<string>(
            () => { tried++; throw new InvalidOperationException("a bug"); }, 4, TimeProvider.System, TestContext.Current.CancellationToken));

        Assert.Equal(1, tried);
    }
}
