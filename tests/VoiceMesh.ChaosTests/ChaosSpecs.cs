using VoiceMesh.Testing;

namespace VoiceMesh.ChaosTests;

/// <summary>
/// Issue 15's chaos suite: while signed status callbacks (shuffled, with duplicates) and call placements stream
/// through the gateway, every process is killed and restarted, RabbitMQ and PostgreSQL go down and come back, the
/// simulator fails, a second instance competes and is killed, and RabbitMQ restarts under a burst. Then every
/// acknowledged request must have been applied exactly once and every lifecycle must have ended. The profile comes
/// from <c>VOICEMESH_CHAOS_PROFILE</c> (<c>short</c> by default, <c>full</c> with <c>./voicemesh chaos --profile full</c>);
/// the report goes to the test output and to <c>VOICEMESH_CHAOS_REPORT</c> (else <c>artifacts/chaos/PROFILE</c>).
/// </summary>
public sealed class ChaosSpecs
{
    [Fact]
    public async Task Every_fault_under_traffic_loses_and_duplicates_no_acknowledged_request_and_leaves_no_lifecycle_stuck()
    {
        var profile = ChaosProfile.FromEnvironment();
        var startedAt = TimeProvider.System.GetUtcNow();
        await using var harness = await ChaosHarness.Start(profile);

        using var stop = new CancellationTokenSource();
        var callbacks = harness.Callbacks.Stream(stop.Token);
        var placements = harness.Placements.Stream(stop.Token);
        try
        {
            await Task.Delay(profile.Steady, TestContext.Current.CancellationToken);
            for (var round = 0; round < profile.Rounds; round++)
            {
                await ChaosFaults.InjectAll(harness, round);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(callbacks, placements);
        }

        await Task.WhenAll(harness.Callbacks.Drain(), harness.Placements.Drain());
        var traffic = harness.Timeline.Now;

        var report = await ChaosCheck.Run(harness, startedAt, traffic);
        var directory = Environment.GetEnvironmentVariable(ChaosProfile.ReportVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(RepositoryPaths.Root, "artifacts", "chaos", profile.Name);
        var written = report.Write(directory);
        TestContext.Current.TestOutputHelper?.WriteLine(report.ToMarkdown());
        TestContext.Current.TestOutputHelper?.WriteLine($"chaos report: {written}");

        var total = report.Total;
        Assert.Multiple(
            () => Assert.True(report.Faults.Count > 0, "no fault was injected"),
            () => Assert.True(total.Acknowledged > 0 && total.PlacementsAccepted > 0, $"too little traffic was acknowledged: {total}"),
            () => Assert.True(total.Lost == 0, $"{total.Lost} acknowledged callbacks were never applied; see {written}"),
            () => Assert.True(total.Duplicated == 0, $"{total.Duplicated} callbacks were applied more than once; see {written}"),
            () => Assert.True(total.PlacementsStuck == 0, $"{total.PlacementsStuck} accepted placements did not end; see {written}"),
            () => Assert.True(total.DuplicateCalls == 0, $"{total.DuplicateCalls} calls were placed twice; see {written}"),
            () => Assert.True(total.Refused + total.PlacementsRefused == 0, $"valid requests were refused with a 4xx; see {written}"),
            () => Assert.True(
                report.ErrorQueues.All(q => !q.Faults.StartsWith("unreadable", StringComparison.Ordinal)),
                $"error queues hold messages whose faults cannot be read: {string.Join("; ", report.ErrorQueues)}"));
    }
}
