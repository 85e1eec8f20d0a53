using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.Reconciliation;

namespace VoiceMesh.Calls.Tests;

public sealed class ReconciliationSpecs
{
    private const string CallSid = "CA55555555555555555555555555555555";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private static Call Ringing => new() { Id = CallSid, Status = CallStatus.Ringing };

    private static TwilioCallState AtTwilio(CallStatus status) => new(status, null, null, null, 42);

    [Fact]
    public void A_status_further_along_at_twilio_is_reported_from_reconciliation_once()
    {
        var report = Assert.IsType<CallStatusReported>(Assert.Single(
            ReconciliationDecision.Decide(Ringing, AtTwilio(CallStatus.Completed), _clock.GetUtcNow()).Events));
        var after = Ringing.Apply(report);

        Assert.Equal((CallStatus.Completed, ReportSource.Reconciliation, (int?)42), (report.Status, report.Source, report.DurationSeconds));
        Assert.Empty(ReconciliationDecision.Decide(after, AtTwilio(CallStatus.Completed), _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void Nothing_new_at_twilio_records_the_check_so_the_call_is_quiet_from_now()
    {
        var checkedEvent = Assert.IsType<CallReconciliationChecked>(Assert.Single(
            ReconciliationDecision.Decide(Ringing, AtTwilio(CallStatus.Ringing), _clock.GetUtcNow()).Events));

        Assert.Equal(_clock.GetUtcNow(), Ringing.Apply(checkedEvent).QuietSince);
    }

    [Fact]
    public void An_unknown_or_ended_call_is_left_alone()
    {
        Assert.Empty(ReconciliationDecision.Decide(null, AtTwilio(CallStatus.Completed), _clock.GetUtcNow()).Events);
        Assert.Empty(ReconciliationDecision.Decide(
            Ringing with { Status = CallStatus.Busy, IsTerminal = true }, AtTwilio(CallStatus.Completed), _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void A_refusal_from_twilio_is_recorded_so_the_call_is_quiet_from_now_and_carries_the_code()
    {
        var refused = Assert.IsType<CallReconciliationRefused>(Assert.Single(
            ReconciliationDecision.Refused(Ringing, 20404, "not found", _clock.GetUtcNow()).Events));
        var after = Ringing.Apply(refused);

        Assert.Equal((_clock.GetUtcNow(), (int?)20404), (after.QuietSince, after.ReconciliationErrorCode));
        Assert.Null(after.Apply(new CallReconciliationChecked(CallSid, CallStatus.Ringing, _clock.GetUtcNow())).ReconciliationErrorCode);
    }

    [Fact]
    public void A_refusal_about_an_unknown_or_ended_call_records_nothing()
    {
        Assert.Empty(ReconciliationDecision.Refused(null, 20404, "not found", _clock.GetUtcNow()).Events);
        Assert.Empty(ReconciliationDecision.Refused(Ringing with { IsTerminal = true }, 20404, "not found", _clock.GetUtcNow()).Events);
    }
}
