using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.MachineDetection;
using VoiceMesh.Calls.Placement;

namespace VoiceMesh.Calls.Tests;

/// <summary>AMD decisions: who answered, and the machine action a PlaceCall asked for, decided without a database.</summary>
public sealed class MachineDetectionSpecs
{
    private const string CallSid = "CA44444444444444444444444444444444";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private static Call Answered => new() { Id = CallSid, Status = CallStatus.InProgress };

    private PlacementRequested Asking(MachineAction action) => new()
    {
        RequestId = "req-1",
        To = "+14155550100",
        From = "+15005550006",
        Twiml = "<Response/>",
        MachineDetection = "DetectMessageEnd",
        AsyncAmd = true,
        OnMachine = action,
        MachineMessageTwiml = action == MachineAction.Message ? "<Response><Say>Call us back</Say></Response>" : null,
        RequestedAt = _clock.GetUtcNow(),
    };

    private AnsweredByDetected Detected(string answeredBy, string messageId = "amd-1") => new()
    {
        CallSid = CallSid, AnsweredBy = AnsweredByWire.Parse(answeredBy)!.Value, MessageId = messageId, DetectedAt = _clock.GetUtcNow(),
    };

    [Theory]
    [InlineData(MachineAction.HangUp)]
    [InlineData(MachineAction.Message)]
    public void A_machine_on_a_call_that_asked_for_an_action_records_the_action_with_the_detection(MachineAction action)
    {
        var decision = MachineDetectionDecision.Decide(Answered, Asking(action), Detected("machine_end_beep"), _clock.GetUtcNow());

        Assert.Equal(2, decision.Events.Count);
        Assert.IsType<AnsweredByDetected>(decision.Events[0]);
        var requested = Assert.IsType<MachineActionRequested>(decision.Events[1]);
        Assert.Equal(action, requested.Action);
        Assert.Equal(action == MachineAction.Message ? "<Response><Say>Call us back</Say></Response>" : null, requested.Twiml);
    }

    [Theory]
    [InlineData("human")]
    [InlineData("fax")]
    [InlineData("unknown")]
    public void Anyone_but_a_machine_is_only_recorded(string answeredBy) =>
        Assert.IsType<AnsweredByDetected>(Assert.Single(
            MachineDetectionDecision.Decide(Answered, Asking(MachineAction.HangUp), Detected(answeredBy), _clock.GetUtcNow()).Events));

    [Fact]
    public void A_call_that_continues_on_machines_or_was_not_placed_here_gets_no_action()
    {
        Assert.Single(MachineDetectionDecision.Decide(Answered, Asking(MachineAction.Continue), Detected("machine_start"), _clock.GetUtcNow()).Events);
        Assert.Single(MachineDetectionDecision.Decide(Answered, null, Detected("machine_start"), _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void A_redelivered_result_changes_nothing_and_a_second_machine_result_asks_for_no_second_action()
    {
        var decided = MachineDetectionDecision.Decide(Answered, Asking(MachineAction.HangUp), Detected("machine_start"), _clock.GetUtcNow());
        var call = Answered.Apply((AnsweredByDetected)decided.Events[0]).Apply((MachineActionRequested)decided.Events[1]);

        Assert.Empty(MachineDetectionDecision.Decide(call, Asking(MachineAction.HangUp), Detected("machine_start"), _clock.GetUtcNow()).Events);
        Assert.Single(MachineDetectionDecision.Decide(
            call, Asking(MachineAction.HangUp), Detected("machine_end_beep", "amd-2"), _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void A_call_that_already_ended_is_not_hung_up_again()
    {
        var ended = Answered with { Status = CallStatus.Completed, IsTerminal = true };

        Assert.Single(MachineDetectionDecision.Decide(ended, Asking(MachineAction.HangUp), Detected("machine_start"), _clock.GetUtcNow()).Events);
    }

    [Theory]
    [InlineData("machine_start", AnsweredBy.MachineStart, true)]
    [InlineData("machine_end_other", AnsweredBy.MachineEndOther, true)]
    [InlineData("human", AnsweredBy.Human, false)]
    [InlineData("fax", AnsweredBy.Fax, false)]
    [InlineData("something_new", AnsweredBy.Unknown, false)]
    public void Answered_by_strings_parse_to_typed_values_and_only_machines_are_machines(string wire, AnsweredBy expected, bool machine)
    {
        Assert.Equal(expected, AnsweredByWire.Parse(wire));
        Assert.Equal(machine, expected.IsMachine());
        Assert.Null(AnsweredByWire.Parse(null));
    }

    [Theory]
    [InlineData("continue", MachineAction.Continue)]
    [InlineData("hangup", MachineAction.HangUp)]
    [InlineData("message", MachineAction.Message)]
    public void On_machine_strings_convert_both_ways(string wire, MachineAction action)
    {
        Assert.True(MachineActionWire.TryParse(wire, out var parsed));
        Assert.Equal(action, parsed);
        Assert.Equal(wire, action.ToWire());
        Assert.False(MachineActionWire.TryParse("HangUp", out _));
    }
}
