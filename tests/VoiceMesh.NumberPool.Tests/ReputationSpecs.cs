using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.NumberPool.Provisioning;
using VoiceMesh.NumberPool.Reputation;

namespace VoiceMesh.NumberPool.Tests;

public sealed class ReputationSpecs
{
    private const string Phone = "+14155550100";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private static readonly PoolReputation Thresholds = new(TimeSpan.FromHours(1), 10, 0.5, 10, TimeSpan.FromHours(2));
    private static readonly NumberPoolOptions Options = new() { PublicBaseUrl = "https://voice.example.com" };

    private static Number Active() => Number.Apply(
        Activation.Of(Phone, "PN" + new string('0', 32), "sales", NumberOrigin.Purchased, Options, "ops", Now),
        Number.Create(new NumberProvisioningStarted(Phone, "sales", "req-1", "ops", Now)));

    [Theory]
    [InlineData(10, 2, 30, 18, true)]
    [InlineData(10, 3, 30, 18, false)]
    [InlineData(9, 0, 30, 18, false)]
    [InlineData(10, 0, 9, 9, false)]
    public void A_number_is_degraded_only_well_below_the_rest_of_its_pool_and_with_enough_calls_on_both_sides(
        int calls, int answered, int poolCalls, int poolAnswered, bool degraded)
    {
        var counts = new ReputationCounts(calls, answered, ShortCalls: 0, TalkSeconds: 40L * answered, poolCalls, poolAnswered);

        Assert.Equal(degraded, counts.Degraded(Thresholds) is not null);
    }

    [Fact]
    public void The_evidence_carries_the_rates_short_calls_and_talk_time()
    {
        var evidence = new ReputationCounts(20, 2, 1, 50, 40, 24).Degraded(Thresholds)!;

        Assert.Equal(new ReputationEvidence(20, 0.1, 40, 0.6, 0.5, 25, TimeSpan.FromHours(1)), evidence);
    }

    [Fact]
    public void An_active_number_cools_down_once_with_its_evidence_and_comes_back_when_the_cooldown_is_over()
    {
        var evidence = new ReputationEvidence(20, 0.1, 40, 0.6, 0, 40, TimeSpan.FromHours(1));
        var degraded = Number.Degrade(Active(), evidence, Thresholds.Cooldown, Now);
        var cooling = Number.Apply((ReputationDegraded)Assert.Single(degraded.Events), Active());

        Assert.Equal((NumberState.CoolingDown, Now.AddHours(2), evidence), (cooling.State, cooling.CoolingDownUntil, cooling.Reputation));
        Assert.Equal("reputation", cooling.History[^1].By);
        Assert.Empty(Number.Degrade(cooling, evidence, Thresholds.Cooldown, Now).Events);
        Assert.Empty(Number.EndCooldown(cooling, Now.AddHours(1)).Events);
        var ended = Number.Apply((ReputationCooldownEnded)Assert.Single(Number.EndCooldown(cooling, Now.AddHours(2)).Events), cooling);
        Assert.Equal(NumberState.Active, ended.State);
        Assert.Equal(evidence, ended.Reputation);
    }

    [Fact]
    public void Suspension_takes_an_active_number_out_until_it_is_resumed_and_leaves_others_alone()
    {
        var (suspend, outcome) = Number.Suspend(Active(), "complaint", "ops-alice", Now);
        var suspended = Number.Apply((NumberSuspended)Assert.Single(suspend.Events), Active());

        Assert.Equal(SuspensionOutcome.Done, outcome);
        Assert.Equal(new NumberStep(NumberState.Suspended, "complaint", "ops-alice", Now), suspended.History[^1]);
        Assert.Equal(SuspensionOutcome.Unchanged, Number.Suspend(suspended, "again", "ops", Now).Outcome);
        Assert.Equal(SuspensionOutcome.Unchanged, Number.Resume(Active(), "x", "ops", Now).Outcome);
        Assert.Equal(SuspensionOutcome.NotFound, Number.Suspend(null, "x", "ops", Now).Outcome);
        var quarantined = Number.Apply(new NumberQuarantined(Phone, "done", "ops", Now, Now.AddDays(30)), Active());
        Assert.Equal(SuspensionOutcome.NotActive, Number.Suspend(quarantined, "x", "ops", Now).Outcome);
        Assert.Equal(ReleaseOutcome.Quarantined, Number.Release(suspended, "done", "ops", Now, TimeSpan.FromDays(1)).Outcome);
        var resumed = Number.Apply((NumberResumed)Assert.Single(Number.Resume(suspended, "cleared", "ops-bob", Now).Decision.Events), suspended);
        Assert.Equal(NumberState.Active, resumed.State);
    }

    [Fact]
    public void A_pool_defined_without_thresholds_uses_the_defaults_and_a_change_of_thresholds_is_a_new_definition()
    {
        var limits = new PoolLimits(2, null, null, null, null);
        var pool = Pool.Create(new PoolDefined("sales", [], limits, "ops", Now));

        Assert.Equal(PoolReputation.Default, pool.Reputation);
        Assert.Empty(Pool.Define(pool, new PoolDefined("sales", [], limits, "ops", Now, PoolReputation.Default)).Events);
        Assert.Single(Pool.Define(pool, new PoolDefined("sales", [], limits, "ops", Now, Thresholds)).Events);
    }
}
