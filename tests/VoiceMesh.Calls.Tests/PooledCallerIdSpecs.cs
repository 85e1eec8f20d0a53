using JasperFx.Events;
using Microsoft.Extensions.Options;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.Outbox;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Calls.Reconciliation;
using PlaceCall = VoiceMesh.Contracts.Calls.PlaceCall;
using VoiceMesh.Contracts.Numbers;

namespace VoiceMesh.Calls.Tests;

/// <summary>A call placed from a pooled caller id: its lease ends once, when the call ends or the placement fails.</summary>
public sealed class PooledCallerIdSpecs
{
    private const string CallSid = "CA44444444444444444444444444444444";
    private static readonly Guid Lease = Guid.Parse("0193a1b2-0000-7000-8000-000000000001");
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static readonly PlacementRequested Requested = new()
    {
        RequestId = "req-pool",
        To = "+14155550100",
        From = "+14155559999",
        CallerIdPool = "sales",
        LeaseId = Lease,
        Twiml = "<Response/>",
        RequestedAt = T0,
    };

    private static CallPlaced Placed(Guid? lease) => new()
    {
        CallSid = CallSid, RequestId = "req-pool", From = "+14155559999", To = "+14155550100", Attempts = 1, LeaseId = lease,
        RequestedAt = T0, PlacedAt = T0.AddSeconds(1),
    };

    private static CallStatusReported Report(CallStatus status, int sequence) => new()
    {
        CallSid = CallSid, Status = status, SequenceNumber = sequence, Timestamp = T0.AddSeconds(sequence), Source = ReportSource.StatusCallback,
        MessageId = $"m{sequence}", ReceivedAt = T0.AddSeconds(sequence),
    };

    /// <summary>Decides each input on the call as it stands, applies what was decided, and returns the call and every event.</summary>
    private static (Call Call, List<object> Events) Fold(IEnumerable<object> inputs)
    {
        Call? call = null;
        var all = new List<object>();
        foreach (var input in inputs)
        {
            var decided = input switch
            {
                CallPlaced placed => Call.Decide(call, placed),
                CallStatusReported report => Call.Decide(call, report),
                TwilioCallState atTwilio => ReconciliationDecision.Decide(call, atTwilio, T0.AddMinutes(5)),
                _ => throw new ArgumentException($"Unexpected input {input.GetType().Name}"),
            };
            foreach (var e in decided.Events)
            {
                all.Add(e);
                call = (call, e) switch
                {
                    (null, CallPlaced placed) => Call.Create(placed),
                    (null, CallStatusReported report) => Call.Create(report),
                    (not null, CallPlaced placed) => call.Apply(placed),
                    (not null, CallStatusReported report) => call.Apply(report),
                    (not null, CallerIdReleaseRequested released) => call.Apply(released),
                    _ => throw new ArgumentException($"Unexpected event {e.GetType().Name}"),
                };
            }
        }

        return (call!, all);
    }

    public static TheoryData<int> PlacedAt => [0, 1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(PlacedAt))]
    public void Wherever_the_placement_lands_among_the_callbacks_the_lease_is_released_once(int placedAt)
    {
        List<object> inputs =
        [
            Report(CallStatus.Initiated, 0), Report(CallStatus.Ringing, 1), Report(CallStatus.InProgress, 2), Report(CallStatus.Completed, 3),
        ];
        inputs.Insert(placedAt, Placed(Lease));

        var (call, events) = Fold([.. inputs, Report(CallStatus.Completed, 3) with { MessageId = "retry" }]);

        Assert.Equal(Lease, Assert.Single(events.OfType<CallerIdReleaseRequested>()).LeaseId);
        Assert.True(call.CallerIdReleased);
        Assert.Equal(CallStatus.Completed, call.Status);
    }

    [Fact]
    public void A_call_that_is_still_live_keeps_its_lease()
    {
        var (call, events) = Fold([Placed(Lease), Report(CallStatus.Ringing, 1), Report(CallStatus.InProgress, 2)]);

        Assert.Empty(events.OfType<CallerIdReleaseRequested>());
        Assert.Equal((Lease, false), (call.LeaseId, call.CallerIdReleased));
    }

    [Fact]
    public void A_call_that_reconciliation_finds_ended_releases_its_lease()
    {
        var (_, events) = Fold([Placed(Lease), Report(CallStatus.Ringing, 1), new TwilioCallState(CallStatus.NoAnswer, T0, T0.AddSeconds(30), null, null)]);

        Assert.Single(events.OfType<CallerIdReleaseRequested>());
    }

    [Fact]
    public void A_call_from_a_given_caller_id_has_no_lease_to_release()
    {
        var (_, events) = Fold([Report(CallStatus.Busy, 1), Placed(null)]);

        Assert.Empty(events.OfType<CallerIdReleaseRequested>());
    }

    [Fact]
    public void A_placement_refused_for_good_releases_its_lease_and_a_transient_refusal_keeps_it()
    {
        var placement = CallPlacement.Create(Requested).Apply(new PlacementAttemptStarted("req-pool", 1, T0, "delivery-a"));

        var transient = placement.Refused(1, 503, 20503, "unavailable", T0).Events;
        var refused = placement.Refused(1, 400, 21215, "geo permissions", T0).Events;

        Assert.IsType<PlacementAttemptFailed>(Assert.Single(transient));
        Assert.Equal([typeof(PlacementFailed), typeof(PlacementLeaseReleased)], refused.Select(e => e.GetType()));
        Assert.Equal(Lease, refused.OfType<PlacementLeaseReleased>().Single().LeaseId);
        Assert.Equal(Lease, placement.Apply(new PlacementSucceeded("req-pool", CallSid, 1, false, T0)).ToCallPlaced("AC" + new string('1', 32))!.LeaseId);
    }

    [Fact]
    public void The_outbox_sends_a_release_as_numberpools_ReleaseCallerId()
    {
        var ended = CallEventsPublisher.Map(new Event<CallerIdReleaseRequested>(new CallerIdReleaseRequested(Lease, T0)));
        var failed = CallEventsPublisher.Map(new Event<PlacementLeaseReleased>(new PlacementLeaseReleased(Lease, T0.AddSeconds(1))));

        Assert.Equal(new ReleaseCallerId { LeaseId = Lease, OccurredAt = T0 }, ended);
        Assert.Equal(new ReleaseCallerId { LeaseId = Lease, OccurredAt = T0.AddSeconds(1) }, failed);
    }

    private static PlaceCallValidator Validator(string? defaultFrom) =>
        new(Options.Create(new CallsOptions { PublicBaseUrl = "https://voice.example.com", DefaultFrom = defaultFrom }));

    private static readonly PlaceCall FromPool = new()
    {
        RequestId = "req-pool", To = "+14155550100", CallerIdPool = "sales", Twiml = "<Response/>", OccurredAt = T0,
    };

    [Fact]
    public void A_pool_stands_in_for_from_even_without_a_default_caller_id() => Assert.Empty(Validator(null).Validate(FromPool));

    [Theory]
    [InlineData("+15005550006", "sales")]
    [InlineData(null, "")]
    [InlineData(null, " ")]
    [InlineData(null, "a-pool-name-longer-than-sixty-four-characters-is-not-a-pool-name-at-all")]
    [InlineData(null, "sales\u0000")]
    public void A_pool_with_a_from_or_a_malformed_pool_name_is_refused_naming_CallerIdPool(string? from, string pool) =>
        Assert.Equal("CallerIdPool", Assert.Single(Validator("+15005550006").Validate(FromPool with { From = from, CallerIdPool = pool })).Field);
}
