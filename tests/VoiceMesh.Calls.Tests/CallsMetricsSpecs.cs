using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Calls.Reconciliation;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Tests;

/// <summary>
/// Issue 13's scripted scenarios for Calls' instruments: what the decisions store, handed to the metrics exactly as
/// the command path hands it (the state the decision read, the events it appended), read back from the instruments.
/// </summary>
public sealed class CallsMetricsSpecs : IDisposable
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _clock = new(Start);

    public void Dispose() => _services.Dispose();

    private IMeterFactory Meters => _services.GetRequiredService<IMeterFactory>();

    private static CallStatusReported Report(CallStatus status, int sequence, string? messageId = null) => new()
    {
        CallSid = CallSid,
        Status = status,
        SequenceNumber = sequence,
        Timestamp = Start.AddSeconds(sequence),
        Source = ReportSource.StatusCallback,
        MessageId = messageId ?? $"m{sequence}",
        Direction = "outbound-api",
        ReceivedAt = Start,
    };

    /// <summary>The status-callback consumer's command path: decide on the stored call, count what was stored, apply it.</summary>
    private static Call? Consume(Call? call, CallStatusReported report, LifecycleMetrics metrics)
    {
        var appended = Call.Decide(call, report).Events;
        metrics.Stored(call, appended);
        foreach (var decided in appended.OfType<CallStatusReported>())
        {
            call = call is null ? Call.Create(decided) : call.Apply(decided);
        }

        return call;
    }

    private static Dictionary<string, long> ByStatus(MetricCollector<long> collector) =>
        collector.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags["call.status"]!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value), StringComparer.Ordinal);

    [Fact]
    public void A_call_through_its_lifecycle_with_a_duplicate_and_late_callbacks_counts_each_status_once()
    {
        var metrics = new LifecycleMetrics(Meters);
        using var statuses = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.calls.status");
        var queued = Report(CallStatus.Queued, 0);
        var ringing = Report(CallStatus.Ringing, 1);
        var answered = Report(CallStatus.InProgress, 2);
        var completed = Report(CallStatus.Completed, 3);
        CallStatusReported[] arrivals =
        [
            queued,
            answered,
            ringing, // out of order: arrives after in-progress, still the call's first ringing
            answered, // redelivered: the same message
            completed,
            Report(CallStatus.Completed, 3, "m3-retry"), // Twilio's retry of the same event under another id
            Report(CallStatus.Ringing, 9, "late-ringing"), // a late ringing the call has reported already: stored, counted never
        ];

        Call? call = null;
        foreach (var report in arrivals)
        {
            call = Consume(call, report, metrics);
        }

        Assert.Equal(CallStatus.Completed, call!.Status);
        Assert.Equal(
            new Dictionary<string, long> { ["queued"] = 1, ["ringing"] = 1, ["in-progress"] = 1, ["completed"] = 1 },
            ByStatus(statuses));
        Assert.All(statuses.GetMeasurementSnapshot(), m => Assert.Equal("outbound-api", m.Tags["call.direction"]));
    }

    [Fact]
    public void A_status_is_counted_without_a_direction_when_no_report_named_one()
    {
        var metrics = new LifecycleMetrics(Meters);
        using var statuses = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.calls.status");

        Consume(null, Report(CallStatus.NoAnswer, 1) with { Direction = null }, metrics);

        var measurement = Assert.Single(statuses.GetMeasurementSnapshot());
        Assert.Equal("no-answer", measurement.Tags["call.status"]);
        Assert.False(measurement.Tags.ContainsKey("call.direction"));
    }

    private PlacementRequested Requested(string requestId) => new()
    {
        RequestId = requestId,
        To = "+14155550100",
        From = "+15005550006",
        Twiml = "<Response/>",
        RequestedAt = _clock.GetUtcNow(),
    };

    /// <summary>The placement service's command path on one placement: decide, count what was stored, apply it.</summary>
    private static CallPlacement? Store(CallPlacement? placement, Func<CallPlacement?, Decision> decide, PlacementMetrics metrics)
    {
        var appended = decide(placement).Events;
        metrics.Stored(appended);
        foreach (var e in appended)
        {
            placement = e switch
            {
                PlacementRequested requested => CallPlacement.Create(requested),
                PlacementRejected rejected => CallPlacement.Create(rejected),
                PlacementAttemptStarted started => placement!.Apply(started),
                PlacementAttemptFailed failed => placement!.Apply(failed),
                PlacementSucceeded succeeded => placement!.Apply(succeeded),
                PlacementFailed failed => placement!.Apply(failed),
                _ => placement,
            };
        }

        return placement;
    }

    private CallPlacement? Attempt(CallPlacement? placement, string delivery, PlacementMetrics metrics) =>
        Store(placement, p => p!.StartAttempt(delivery, _clock.GetUtcNow()), metrics);

    [Fact]
    public void Placements_read_placed_rejected_failed_and_retried_with_twilios_codes()
    {
        var metrics = new PlacementMetrics(Meters, new OutboundCallPacer(1, _clock));
        using var placements = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.calls.placements");

        // An invalid request is rejected; its redelivery changes nothing.
        var rejection = new PlacementRejected("bad", "To", "To must be E.164.", _clock.GetUtcNow());
        var bad = Store(null, p => CallPlacement.Reject(p, rejection), metrics);
        Store(bad, p => CallPlacement.Reject(p, rejection), metrics);

        // Twilio answers 503 (20503), then the circuit is open, then the call is created; a late answer changes nothing.
        var retried = Store(null, p => CallPlacement.Accept(p, Requested("retried")), metrics);
        retried = Attempt(retried, "d1", metrics);
        retried = Store(retried, p => p!.Refused(1, 503, 20503, "Service Unavailable", _clock.GetUtcNow()), metrics);
        retried = Attempt(retried, "d1", metrics);
        retried = Store(retried, p => p!.NotSent(2, "The circuit is now open"), metrics);
        retried = Attempt(retried, "d1", metrics);
        retried = Store(retried, p => p!.Succeed("CA" + new string('2', 32), foundByLookup: false, _clock.GetUtcNow()), metrics);
        Store(retried, p => p!.Succeed("CA" + new string('2', 32), foundByLookup: false, _clock.GetUtcNow()), metrics);

        // Twilio refuses the number for good (21211); a second answer to the same attempt changes nothing.
        var refused = Store(null, p => CallPlacement.Accept(p, Requested("refused")), metrics);
        refused = Attempt(refused, "d2", metrics);
        refused = Store(refused, p => p!.Refused(1, 400, 21211, "Invalid 'To' Phone Number", _clock.GetUtcNow()), metrics);
        Store(refused, p => p!.Refused(1, 400, 21211, "Invalid 'To' Phone Number", _clock.GetUtcNow()), metrics);

        var read = placements.GetMeasurementSnapshot()
            .Select(m => (Outcome: (string)m.Tags["outcome"]!, Code: m.Tags.TryGetValue("twilio.error_code", out var code) ? (string?)code : null, m.Value))
            .OrderBy(m => m.Outcome, StringComparer.Ordinal)
            .ThenBy(m => m.Code, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(
            [
                ("failed", "21211", 1L),
                ("placed", null, 1L),
                ("rejected", null, 1L),
                ("retried", null, 1L),
                ("retried", "20503", 1L),
            ],
            read);
    }

    [Fact]
    public async Task Queued_reads_the_creates_waiting_for_the_pacer()
    {
        var pacer = new OutboundCallPacer(1, _clock);
        _ = new PlacementMetrics(Meters, pacer);
        using var queued = new MetricCollector<int>(Meters, VoiceMeshTelemetry.Name, "voicemesh.calls.placement.queued");
        int Read()
        {
            queued.RecordObservableInstruments();
            return queued.LastMeasurement!.Value;
        }

        var first = pacer.WaitForSlot(TestContext.Current.CancellationToken);
        var second = pacer.WaitForSlot(TestContext.Current.CancellationToken);
        var third = pacer.WaitForSlot(TestContext.Current.CancellationToken);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.Equal(2, Read());
        _clock.Advance(TimeSpan.FromSeconds(OutboundCallPacer.Margin));
        await second;
        Assert.Equal(1, Read());
        _clock.Advance(TimeSpan.FromSeconds(OutboundCallPacer.Margin));
        await third;
        Assert.Equal(0, Read());
    }

    [Fact]
    public void Stuck_reads_nothing_before_the_first_reconciliation_run_then_the_last_runs_count()
    {
        var metrics = new ReconciliationMetrics(Meters);
        using var stuck = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.calls.stuck");

        stuck.RecordObservableInstruments();
        Assert.Empty(stuck.GetMeasurementSnapshot());

        metrics.Stuck(3);
        stuck.RecordObservableInstruments();
        Assert.Equal(3, stuck.LastMeasurement!.Value);

        metrics.Stuck(0);
        stuck.RecordObservableInstruments();
        Assert.Equal(0, stuck.LastMeasurement!.Value);
    }
}
