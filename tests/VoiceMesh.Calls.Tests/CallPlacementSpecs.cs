using JasperFx.Events;
using Twilio.Exceptions;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Calls.Publishing;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Tests;

public sealed class CallPlacementSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static readonly PlacementRequested Requested = new()
    {
        RequestId = "req-1",
        To = "+14155550100",
        From = "+15005550006",
        Twiml = "<Response/>",
        RequestedAt = T0,
    };

    [Fact]
    public void An_attempt_stays_in_doubt_until_twilio_answers()
    {
        var placement = CallPlacement.Create(Requested).Apply(new PlacementAttemptStarted("req-1", 1, T0.AddSeconds(1)));

        Assert.Equal(T0.AddSeconds(1), placement.AttemptInDoubtSince);
        Assert.False(placement.IsFinished);

        var answered = placement.Apply(new PlacementAttemptFailed("req-1", 1, 20429, 429, "Too many requests"));
        Assert.Null(answered.AttemptInDoubtSince);
        Assert.Equal(1, answered.Attempts);
    }

    [Fact]
    public void Success_and_failure_finish_the_placement()
    {
        var placed = CallPlacement.Create(Requested)
            .Apply(new PlacementAttemptStarted("req-1", 1, T0))
            .Apply(new PlacementSucceeded("req-1", "CA" + new string('1', 32), 1, FoundByLookup: true, T0.AddSeconds(2)));
        var failed = CallPlacement.Create(Requested)
            .Apply(new PlacementAttemptStarted("req-1", 1, T0))
            .Apply(new PlacementFailed("req-1", 21217, "invalid", 1, T0.AddSeconds(2)));

        Assert.Equal((CallPlacement.Placed, true, (string?)("CA" + new string('1', 32))), (placed.Status, placed.IsFinished, placed.CallSid));
        Assert.Equal((CallPlacement.Failed, true, (int?)21217), (failed.Status, failed.IsFinished, failed.ErrorCode));
        Assert.Null(placed.AttemptInDoubtSince);
    }

    [Fact]
    public void A_rejected_request_is_finished_and_names_its_field()
    {
        var rejected = CallPlacement.Create(new PlacementRejected("req-1", "To", "To must be E.164", T0));

        Assert.True(rejected.IsFinished);
        Assert.Equal("To", rejected.RejectedField);
    }

    [Theory]
    [InlineData(429, 20429, true)]
    [InlineData(503, 20503, true)]
    [InlineData(500, 20500, true)]
    [InlineData(400, 21217, false)]
    [InlineData(400, 21215, false)]
    [InlineData(401, 20003, false)]
    public void Only_rate_limits_and_server_errors_are_transient(int status, int code, bool transient) =>
        Assert.Equal(transient, TwilioErrors.IsTransient(new ApiException(code, status, "message", "https://www.twilio.com/docs/errors")));

    [Fact]
    public void The_publisher_maps_outcomes_to_their_contracts_and_nothing_else()
    {
        var placed = CallEventsPublisher.Map(new Event<PlacementSucceeded>(
            new PlacementSucceeded("req-1", "CA" + new string('2', 32), 2, false, T0)));
        var failed = CallEventsPublisher.Map(new Event<PlacementFailed>(new PlacementFailed("req-1", 21215, "geo", 1, T0)));
        var rejected = CallEventsPublisher.Map(new Event<PlacementRejected>(new PlacementRejected("req-1", "To", "bad", T0)));

        Assert.Equal(new CallPlaced { RequestId = "req-1", CallSid = "CA" + new string('2', 32), Attempts = 2, OccurredAt = T0 }, placed);
        Assert.Equal(21215, Assert.IsType<CallPlacementFailed>(failed).ErrorCode);
        Assert.Equal("To", Assert.IsType<CallPlacementRejected>(rejected).Field);
        Assert.Null(CallEventsPublisher.Map(new Event<PlacementAttemptStarted>(new PlacementAttemptStarted("req-1", 1, T0))));
    }
}
