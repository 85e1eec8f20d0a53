using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.MachineDetection;
using VoiceMesh.Calls.Placement;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Tests;

/// <summary>
/// Issue 15's replay protection across accounts: a call belongs to one Twilio account, and a status or AMD callback
/// validly signed by another account the gateway serves does not change it.
/// </summary>
public sealed class CallAccountSpecs : IDisposable
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string AccountA = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string AccountB = "ACbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private static CallStatusReported Report(CallStatus status, int sequence, string? accountSid, ReportSource source = ReportSource.StatusCallback) => new()
    {
        CallSid = CallSid,
        Status = status,
        SequenceNumber = sequence,
        Source = source,
        AccountSid = accountSid,
        MessageId = $"m{sequence}-{accountSid}",
        ReceivedAt = Start.AddSeconds(sequence),
    };

    private static CallPlaced Placed(string accountSid) => new()
    {
        CallSid = CallSid,
        RequestId = "req-1",
        From = "+15005550006",
        To = "+14155550100",
        Attempts = 1,
        AccountSid = accountSid,
        RequestedAt = Start,
        PlacedAt = Start,
    };

    private static Call Apply(Call? call, IEnumerable<object> events)
    {
        foreach (var e in events)
        {
            call = (call, e) switch
            {
                (null, CallPlaced placed) => Call.Create(placed),
                (null, CallStatusReported report) => Call.Create(report),
                (null, AnsweredByDetected detected) => Call.Create(detected),
                (not null, CallPlaced placed) => call.Apply(placed),
                (not null, CallStatusReported report) => call.Apply(report),
                (not null, AnsweredByDetected detected) => call.Apply(detected),
                _ => call,
            };
        }

        return call!;
    }

    private static Call Decide(Call? call, CallStatusReported report) => Apply(call, Call.Decide(call, report).Events);

    [Fact]
    public void A_status_callback_of_another_account_than_the_one_the_call_was_placed_with_changes_nothing()
    {
        var placed = Apply(null, Call.Decide(null, Placed(AccountA)).Events);

        Assert.Equal(AccountA, placed.AccountSid);
        Assert.True(placed.BelongsToAnotherAccount(AccountB));
        Assert.Empty(Call.Decide(placed, Report(CallStatus.Completed, 4, AccountB)).Events);
        var ringing = Decide(placed, Report(CallStatus.Ringing, 1, AccountA));
        Assert.Equal(CallStatus.Ringing, ringing.Status);
    }

    [Fact]
    public void The_first_callback_naming_an_account_gives_the_call_its_account_and_another_accounts_completion_is_refused()
    {
        var call = Decide(null, Report(CallStatus.Ringing, 1, AccountA));

        Assert.Equal(AccountA, call.AccountSid);
        Assert.Empty(Call.Decide(call, Report(CallStatus.Completed, 4, AccountB)).Events);
        Assert.Equal(CallStatus.Completed, Decide(call, Report(CallStatus.Completed, 4, AccountA)).Status);
    }

    [Fact]
    public void The_placement_is_the_calls_account_even_when_a_callback_of_another_account_came_first()
    {
        var claimed = Decide(null, Report(CallStatus.Ringing, 1, AccountB));

        var placed = Apply(claimed, Call.Decide(claimed, Placed(AccountA)).Events);

        Assert.Equal(AccountA, placed.AccountSid);
        Assert.Empty(Call.Decide(placed, Report(CallStatus.Completed, 4, AccountB)).Events);
        Assert.Single(Call.Decide(placed, Report(CallStatus.Completed, 4, AccountA)).Events);
    }

    [Fact]
    public void A_report_that_names_no_account_is_applied_to_a_call_of_any_account()
    {
        var call = Decide(null, Report(CallStatus.Ringing, 1, AccountA));

        var reconciled = Decide(call, Report(CallStatus.Completed, 2, null, ReportSource.Reconciliation));

        Assert.Equal((CallStatus.Completed, AccountA), (reconciled.Status, reconciled.AccountSid));
    }

    [Fact]
    public void An_amd_result_of_another_account_changes_nothing_and_requests_no_machine_action()
    {
        var call = Decide(null, Report(CallStatus.InProgress, 2, AccountA));
        var request = new PlacementRequested
        {
            RequestId = "req-1", To = "+14155550100", From = "+15005550006", Twiml = "<Response/>",
            MachineDetection = "DetectMessageEnd", AsyncAmd = true, OnMachine = MachineAction.HangUp, RequestedAt = Start,
        };
        AnsweredByDetected Detected(string accountSid) => new()
        {
            CallSid = CallSid, AnsweredBy = AnsweredBy.MachineEndBeep, AccountSid = accountSid, MessageId = "amd-" + accountSid, DetectedAt = Start,
        };

        Assert.Empty(MachineDetectionDecision.Decide(call, request, Detected(AccountB), Start).Events);
        Assert.Equal(
            [typeof(AnsweredByDetected), typeof(MachineActionRequested)],
            MachineDetectionDecision.Decide(call, request, Detected(AccountA), Start).Events.Select(e => e.GetType()));
    }

    [Fact]
    public void Refused_callbacks_are_counted_by_callback_type_and_reason()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        var metrics = new LifecycleMetrics(meters);
        using var refused = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.calls.callbacks.refused");

        metrics.Refused("status", LifecycleMetrics.AccountMismatch);
        metrics.Refused("amd", LifecycleMetrics.AccountMismatch);

        Assert.Equal(
            [("status", "account-mismatch"), ("amd", "account-mismatch")],
            refused.GetMeasurementSnapshot().Select(m => ((string)m.Tags["callback.type"]!, (string)m.Tags["error.type"]!)));
    }
}
