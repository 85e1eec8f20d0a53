using VoiceMesh.Calls.CallStreams;
using VoiceMesh.Calls.Lifecycle;

namespace VoiceMesh.Calls.Tests;

public sealed class CallStreamSpecs
{
    private const string CallSid = "CA88888888888888888888888888888888";
    private const string First = "MZ11111111111111111111111111111111";
    private const string Second = "MZ22222222222222222222222222222222";
    private static readonly DateTimeOffset At = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> Parameters = new() { ["agent"] = "a1" };

    private static CallStreamStarted Started(string sid, double seconds) => new(CallSid, sid, ["inbound"], Parameters, At.AddSeconds(seconds));

    private static CallStreamStopped Stopped(string sid, StreamStopReason reason, double seconds) => new(CallSid, sid, reason, At.AddSeconds(seconds));

    private static Call? Apply(Call? call, object e)
    {
        foreach (var appended in CallStreamDecision.Decide(call, e).Events)
        {
            call = (call, appended) switch
            {
                (null, CallStreamStarted s) => Call.Create(s),
                (null, CallStreamStopped s) => Call.Create(s),
                (null, CallStreamRestarted s) => Call.Create(s),
                (_, CallStreamStarted s) => call!.Apply(s),
                (_, CallStreamStopped s) => call!.Apply(s),
                (_, CallStreamRestarted s) => call!.Apply(s),
                _ => call,
            };
        }

        return call;
    }

    [Fact]
    public void A_stream_heard_of_before_any_status_callback_starts_the_call_and_the_callbacks_move_it_on()
    {
        var call = Apply(null, Started(First, 0))!;
        var answered = call.Apply(new CallStatusReported
        {
            CallSid = CallSid, Status = CallStatus.InProgress, SequenceNumber = 1, Source = ReportSource.StatusCallback, MessageId = "m1", ReceivedAt = At,
        });

        Assert.Equal((CallStatus.Queued, First), (call.Status, Assert.Single(call.Streams).StreamSid));
        Assert.Equal((CallStatus.InProgress, 1), (answered.Status, answered.Streams.Count));
    }

    [Fact]
    public void Each_part_of_a_stream_is_recorded_once_in_any_order()
    {
        var call = Apply(null, Stopped(First, StreamStopReason.Stopped, 5));
        call = Apply(call, Started(First, 0));

        Assert.Empty(CallStreamDecision.Decide(call, Started(First, 0)).Events);
        Assert.Empty(CallStreamDecision.Decide(call, Stopped(First, StreamStopReason.Stopped, 5)).Events);
        var stream = Assert.Single(call!.Streams);
        Assert.Equal((At, At.AddSeconds(5), StreamStopReason.Stopped), (stream.StartedAt, stream.StoppedAt, stream.StopReason));
    }

    [Fact]
    public void A_restarted_stream_shows_the_gap_from_the_drop_to_the_new_stream_start()
    {
        var call = Apply(null, Started(First, 0));
        call = Apply(call, new CallStreamRestarted(CallSid, First, Second, At.AddSeconds(2), At.AddSeconds(3)));
        var pending = CallResponse.Of(call!);
        call = Apply(call, Stopped(First, StreamStopReason.Dropped, 2));
        call = Apply(call, Started(Second, 3.5));

        var response = CallResponse.Of(call!);
        Assert.Equal(new StreamGapResponse(First, Second, At.AddSeconds(2), null, null), Assert.Single(pending.StreamGaps));
        Assert.Equal(new StreamGapResponse(First, Second, At.AddSeconds(2), At.AddSeconds(3.5), 1500), Assert.Single(response.StreamGaps));
        Assert.Equal(["dropped", null], response.Streams.Select(s => s.StopReason));
        Assert.Empty(CallStreamDecision.Decide(call, new CallStreamRestarted(CallSid, First, Second, At.AddSeconds(2), At.AddSeconds(3))).Events);
    }

    [Fact]
    public void A_refused_duplicate_is_listed_beside_the_first_without_changing_it()
    {
        var call = Apply(null, Started(First, 0));
        call = Apply(call, Stopped(Second, StreamStopReason.Duplicate, 0.1));

        Assert.Equal([(First, (string?)null), (Second, "duplicate")], CallResponse.Of(call!).Streams.Select(s => (s.StreamSid, s.StopReason)));
        Assert.Null(call!.Streams[0].StopReason);
    }
}
