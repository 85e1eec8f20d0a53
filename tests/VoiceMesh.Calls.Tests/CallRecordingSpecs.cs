using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Calls.CallRecordings;
using VoiceMesh.Calls.Lifecycle;

namespace VoiceMesh.Calls.Tests;

public sealed class CallRecordingSpecs
{
    private const string CallSid = "CA66666666666666666666666666666666";
    private const string RecordingSid = "RE66666666666666666666666666666666";
    private const string OtherRecordingSid = "RE77777777777777777777777777777777";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));

    private static Call Completed => new() { Id = CallSid, Status = CallStatus.Completed, IsTerminal = true };

    private CallRecordingLinked Linked(CallRecordingStatus status, string recordingSid = RecordingSid) =>
        new(CallSid, recordingSid, status, _clock.GetUtcNow());

    private static Call Apply(Call call, Func<Call, ServiceDefaults.Decision> decide)
    {
        foreach (var e in decide(call).Events)
        {
            call = call.Apply((CallRecordingLinked)e);
        }

        return call;
    }

    [Fact]
    public void An_archived_recording_is_listed_on_its_call_once()
    {
        var call = Apply(Completed, c => CallRecordingDecision.Decide(c, Linked(CallRecordingStatus.Archived)));

        Assert.Equal([new CallRecording(RecordingSid, CallRecordingStatus.Archived)], call.Recordings);
        Assert.Empty(CallRecordingDecision.Decide(call, Linked(CallRecordingStatus.Archived)).Events);
        Assert.Equal([new CallRecordingResponse(RecordingSid, "archived")], CallResponse.Of(call).Recordings);
    }

    [Fact]
    public void Purged_is_final_whichever_event_arrives_first()
    {
        var inOrder = Apply(Apply(Completed, c => CallRecordingDecision.Decide(c, Linked(CallRecordingStatus.Archived))),
            c => CallRecordingDecision.Decide(c, Linked(CallRecordingStatus.Purged)));
        var reversed = Apply(Completed, c => CallRecordingDecision.Decide(c, Linked(CallRecordingStatus.Purged)));

        Assert.Empty(CallRecordingDecision.Decide(reversed, Linked(CallRecordingStatus.Archived)).Events);
        Assert.Equal(inOrder.Recordings, reversed.Recordings);
        Assert.Equal("purged", CallResponse.Of(inOrder).Recordings.Single().Status);
    }

    [Fact]
    public void Each_recording_of_a_call_keeps_its_own_entry_in_the_order_first_seen()
    {
        var call = Apply(Completed, c => CallRecordingDecision.Decide(c, Linked(CallRecordingStatus.Archived)));
        call = Apply(call, c => CallRecordingDecision.Decide(c, Linked(CallRecordingStatus.Archived, OtherRecordingSid)));
        call = Apply(call, c => CallRecordingDecision.Decide(c, Linked(CallRecordingStatus.Purged)));

        Assert.Equal(
            [new CallRecording(RecordingSid, CallRecordingStatus.Purged), new CallRecording(OtherRecordingSid, CallRecordingStatus.Archived)],
            call.Recordings);
    }

    [Fact]
    public void A_recording_of_a_call_without_a_stream_creates_no_call()
    {
        Assert.Empty(CallRecordingDecision.Decide(null, Linked(CallRecordingStatus.Archived)).Events);
    }
}
