using JasperFx.Events;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.MachineDetection;
using VoiceMesh.Calls.Outbox;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Tests;

/// <summary>Placement decisions: given the placement's events, when a delivery acts, then these events.</summary>
public sealed class CallPlacementSpecs
{
    private const string CallSid = "CA22222222222222222222222222222222";
    private const string AccountSid = "AC11111111111111111111111111111111";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private PlacementRequested Requested => new()
    {
        RequestId = "req-1",
        To = "+14155550100",
        From = "+15005550006",
        Twiml = "<Response/>",
        RequestedAt = _clock.GetUtcNow(),
    };

    private static CallPlacement Given(params object[] events)
    {
        var placement = CallPlacement.Create((PlacementRequested)events[0]);
        foreach (var e in events.Skip(1))
        {
            placement = e switch
            {
                PlacementAttemptStarted started => placement.Apply(started),
                PlacementAttemptFailed failed => placement.Apply(failed),
                PlacementSucceeded succeeded => placement.Apply(succeeded),
                PlacementFailed failed => placement.Apply(failed),
                _ => throw new ArgumentException($"Unexpected event {e.GetType().Name}"),
            };
        }

        return placement;
    }

    [Fact]
    public void A_new_request_is_accepted_once()
    {
        Assert.IsType<PlacementRequested>(Assert.Single(CallPlacement.Accept(null, Requested).Events));
        Assert.Empty(CallPlacement.Accept(Given(Requested), Requested).Events);
    }

    [Fact]
    public void A_fresh_request_is_attempted_and_the_attempt_names_its_delivery()
    {
        var placement = Given(Requested);

        Assert.Equal(CreateStep.Attempt, placement.Next("delivery-a", _clock.GetUtcNow()));
        var started = Assert.IsType<PlacementAttemptStarted>(Assert.Single(placement.StartAttempt("delivery-a", _clock.GetUtcNow()).Events));
        Assert.Equal((1, "delivery-a"), (started.Attempt, started.DeliveryId));
    }

    [Fact]
    public void Another_delivery_waits_while_a_recent_attempt_is_in_doubt()
    {
        var placement = Given(Requested, new PlacementAttemptStarted("req-1", 1, _clock.GetUtcNow(), "delivery-a"));
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(CreateStep.WaitForOtherDelivery, placement.Next("delivery-b", _clock.GetUtcNow()));
        Assert.Empty(placement.StartAttempt("delivery-b", _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void The_owner_of_an_attempt_in_doubt_looks_it_up_before_trying_again()
    {
        var placement = Given(Requested, new PlacementAttemptStarted("req-1", 1, _clock.GetUtcNow(), "delivery-a"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(CreateStep.LookUp, placement.Next("delivery-a", _clock.GetUtcNow()));
        var next = Assert.IsType<PlacementAttemptStarted>(Assert.Single(placement.StartAttempt("delivery-a", _clock.GetUtcNow()).Events));
        Assert.Equal(2, next.Attempt);
    }

    [Fact]
    public void An_attempt_in_doubt_past_its_lease_is_taken_over_by_another_delivery()
    {
        var placement = Given(Requested, new PlacementAttemptStarted("req-1", 1, _clock.GetUtcNow(), "crashed"));
        _clock.Advance(CreateAttempts.Lease);

        Assert.Equal(CreateStep.LookUp, placement.Next("delivery-b", _clock.GetUtcNow()));
    }

    [Theory]
    [InlineData(429, 20429, true)]
    [InlineData(503, 20503, true)]
    [InlineData(500, 20500, true)]
    [InlineData(400, 21217, false)]
    [InlineData(400, 21215, false)]
    [InlineData(401, 20003, false)]
    public void Twilio_errors_are_classified_by_code_transient_ones_keep_the_placement_going(int status, int code, bool transient)
    {
        var placement = Given(Requested, new PlacementAttemptStarted("req-1", 1, _clock.GetUtcNow(), "delivery-a"));

        var decided = Assert.Single(placement.Refused(1, status, code, "message", _clock.GetUtcNow()).Events);

        if (transient)
        {
            var failed = Assert.IsType<PlacementAttemptFailed>(decided);
            var after = placement.Apply(failed);
            Assert.False(after.IsFinished);
            Assert.Null(after.AttemptInDoubtSince);
            Assert.Equal(CreateStep.Attempt, after.Next("delivery-a", _clock.GetUtcNow()));
        }
        else
        {
            var failed = placement.Apply(Assert.IsType<PlacementFailed>(decided));
            Assert.Equal((CallPlacement.Failed, (int?)code), (failed.Status, failed.ErrorCode));
        }
    }

    [Fact]
    public void An_answer_to_an_older_attempt_changes_nothing()
    {
        var placement = Given(
            Requested,
            new PlacementAttemptStarted("req-1", 1, _clock.GetUtcNow(), "delivery-a"),
            new PlacementAttemptFailed("req-1", 1, 20503, 503, "unavailable"),
            new PlacementAttemptStarted("req-1", 2, _clock.GetUtcNow(), "delivery-a"));

        Assert.Empty(placement.Refused(1, 400, 21217, "late", _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void A_request_that_never_left_is_not_in_doubt()
    {
        var placement = Given(Requested, new PlacementAttemptStarted("req-1", 1, _clock.GetUtcNow(), "delivery-a"));

        var after = placement.Apply(Assert.IsType<PlacementAttemptFailed>(Assert.Single(placement.NotSent(1, "circuit open").Events)));

        Assert.Null(after.AttemptInDoubtSince);
    }

    [Fact]
    public void Success_finishes_the_placement_and_tells_the_call_stream_who_placed_it_once()
    {
        var placement = Given(Requested, new PlacementAttemptStarted("req-1", 1, _clock.GetUtcNow(), "delivery-a"));
        _clock.Advance(TimeSpan.FromSeconds(2));

        var after = placement.Apply(Assert.IsType<PlacementSucceeded>(Assert.Single(placement.Succeed(CallSid, foundByLookup: false, _clock.GetUtcNow()).Events)));

        Assert.Equal((CallPlacement.Placed, (string?)CallSid), (after.Status, after.CallSid));
        Assert.Null(placement.ToCallPlaced(AccountSid));
        var placed = after.ToCallPlaced(AccountSid)!;
        Assert.Equal((CallSid, "req-1", 1, AccountSid, _clock.GetUtcNow()), (placed.CallSid, placed.RequestId, placed.Attempts, placed.AccountSid, placed.PlacedAt));
        var call = Call.Create(Assert.IsType<Lifecycle.CallPlaced>(Assert.Single(Call.Decide(null, placed).Events)));
        Assert.Empty(Call.Decide(call, placed).Events);
        Assert.Equal(CreateStep.Finished, after.Next("delivery-b", _clock.GetUtcNow()));
        Assert.Empty(after.Succeed("CA33333333333333333333333333333333", true, _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void A_rejected_request_is_finished_names_its_field_and_is_rejected_once()
    {
        var rejection = new PlacementRejected("req-1", "To", "To must be E.164", _clock.GetUtcNow());
        var rejected = CallPlacement.Create(Assert.IsType<PlacementRejected>(Assert.Single(CallPlacement.Reject(null, rejection).Events)));

        Assert.True(rejected.IsFinished);
        Assert.Equal("To", rejected.RejectedField);
        Assert.Empty(CallPlacement.Reject(rejected, rejection).Events);
    }

    [Fact]
    public void The_outbox_maps_outcomes_and_machine_actions_to_their_messages_and_nothing_else()
    {
        var t0 = _clock.GetUtcNow();
        var placed = CallEventsPublisher.Map(new Event<PlacementSucceeded>(new PlacementSucceeded("req-1", CallSid, 2, false, t0)));
        var failed = CallEventsPublisher.Map(new Event<PlacementFailed>(new PlacementFailed("req-1", 21215, "geo", 1, t0)));
        var rejected = CallEventsPublisher.Map(new Event<PlacementRejected>(new PlacementRejected("req-1", "To", "bad", t0)));
        var hangUp = CallEventsPublisher.Map(new Event<MachineActionRequested>(
            new MachineActionRequested { CallSid = CallSid, Action = MachineAction.HangUp, RequestedAt = t0 }));
        var message = CallEventsPublisher.Map(new Event<MachineActionRequested>(
            new MachineActionRequested { CallSid = CallSid, Action = MachineAction.Message, Twiml = "<Response/>", RequestedAt = t0 }));

        Assert.Equal(new Contracts.Calls.CallPlaced { RequestId = "req-1", CallSid = CallSid, Attempts = 2, OccurredAt = t0 }, placed);
        Assert.Equal(21215, Assert.IsType<CallPlacementFailed>(failed).ErrorCode);
        Assert.Equal("To", Assert.IsType<CallPlacementRejected>(rejected).Field);
        Assert.Equal(new HangUpCall { CallSid = CallSid, OccurredAt = t0 }, hangUp);
        Assert.Equal("<Response/>", Assert.IsType<RedirectCall>(message).Twiml);
        Assert.Null(CallEventsPublisher.Map(new Event<PlacementAttemptStarted>(new PlacementAttemptStarted("req-1", 1, t0, "d"))));
    }
}
