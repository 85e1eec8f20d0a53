using VoiceMesh.NumberPool;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Provisioning;

namespace VoiceMesh.NumberPool.Tests;

public sealed class NumberLifecycleSpecs
{
    private const string Phone = "+14155550100";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private static readonly NumberPoolOptions Options = new() { PublicBaseUrl = "https://voice.example.com" };

    private static Number Provisioning() =>
        Number.Create(new NumberProvisioningStarted(Phone, "sales", "req-1", "ops", Now));

    private static Number Active() =>
        Number.Apply(Activation.Of(Phone, "PN" + new string('0', 32), "sales", NumberOrigin.Purchased, Options, "ops", Now), Provisioning());

    [Fact]
    public void Provisioning_starts_a_new_number_once_and_never_a_number_held_before()
    {
        var started = new NumberProvisioningStarted(Phone, "sales", "req-2", "ops", Now);

        Assert.Single(Number.StartProvisioning(null, started).Events);
        Assert.Empty(Number.StartProvisioning(Provisioning(), started).Events);
        Assert.Empty(Number.StartProvisioning(Active(), started).Events);
    }

    [Fact]
    public void Activation_records_where_the_number_is_and_points_it_at_the_gateway()
    {
        var number = Active();

        Assert.Equal(NumberState.Active, number.State);
        Assert.Equal(("US", "415", "415555", "California"), (number.IsoCountry, number.AreaCode, number.Exchange, number.Region));
        Assert.Equal("America/Los_Angeles", number.TimeZone);
        Assert.Equal(new Uri("https://voice.example.com/twilio/voice"), number.VoiceUrl);
        Assert.Equal(new Uri("https://voice.example.com/twilio/voice/fallback"), number.VoiceFallbackUrl);
        Assert.Equal(new Uri("https://voice.example.com/twilio/voice/status"), number.StatusCallback);
        Assert.Equal([NumberState.Provisioning, NumberState.Active], number.History.Select(s => s.State));
    }

    [Fact]
    public void A_purchase_outcome_is_recorded_only_on_a_number_still_provisioning()
    {
        var refused = new NumberProvisioningRefused(Phone, "sales", "req-1", 21422, "not available", Now);

        Assert.Single(Number.Complete(Provisioning(), refused).Events);
        Assert.Empty(Number.Complete(Active(), refused).Events);
        Assert.Empty(Number.Complete(null, refused).Events);
        Assert.Equal(NumberState.Failed, Number.Apply(refused, Provisioning()).State);
    }

    [Fact]
    public void Releasing_quarantines_an_owned_number_once_with_the_reason_and_requester()
    {
        var (decision, outcome) = Number.Release(Active(), "spam", "ops", Now, TimeSpan.FromDays(30));
        var quarantined = Number.Apply((NumberQuarantined)decision.Events.Single(), Active());

        Assert.Equal(ReleaseOutcome.Quarantined, outcome);
        Assert.Equal(NumberState.Quarantined, quarantined.State);
        Assert.Equal(Now.AddDays(30), quarantined.QuarantineUntil);
        Assert.Equal(("spam", "ops"), (quarantined.History[^1].Reason, quarantined.History[^1].By));
        Assert.Equal(ReleaseOutcome.AlreadyReleasing, Number.Release(quarantined, "again", "ops", Now, TimeSpan.FromDays(30)).Outcome);
        Assert.Equal(ReleaseOutcome.NotOwned, Number.Release(Provisioning(), "x", "ops", Now, TimeSpan.FromDays(30)).Outcome);
        Assert.Equal(ReleaseOutcome.NotFound, Number.Release(null, "x", "ops", Now, TimeSpan.FromDays(30)).Outcome);
    }

    [Fact]
    public void Deletion_at_twilio_is_requested_once_after_the_quarantine_and_recorded_once()
    {
        var quarantined = Number.Apply(new NumberQuarantined(Phone, "spam", "ops", Now, Now.AddDays(1)), Active());

        Assert.Empty(Number.EndQuarantine(quarantined, Now.AddHours(23)).Events);
        var requested = Assert.IsType<NumberDeletionRequested>(Assert.Single(Number.EndQuarantine(quarantined, Now.AddDays(1)).Events));
        var deleting = Number.Apply(requested, quarantined);
        Assert.Empty(Number.EndQuarantine(deleting, Now.AddDays(2)).Events);
        Assert.Empty(Number.Released(quarantined, false, Now).Events);
        var released = Assert.IsType<NumberReleased>(Assert.Single(Number.Released(deleting, true, Now).Events));
        Assert.True(released.AlreadyGone);
        Assert.Equal(NumberState.Released, Number.Apply(released, deleting).State);
        Assert.Empty(Number.Released(Number.Apply(released, deleting), false, Now).Events);
    }
}
