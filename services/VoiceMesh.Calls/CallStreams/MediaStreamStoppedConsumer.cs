using MassTransit;
using VoiceMesh.Contracts.MediaStreams;

namespace VoiceMesh.Calls.CallStreams;

/// <summary>Records how and when a media stream of the call ended. Idempotent.</summary>
public sealed class MediaStreamStoppedConsumer(CallStreamRecorder recorder) : IConsumer<MediaStreamStopped>
{
    public Task Consume(ConsumeContext<MediaStreamStopped> context)
    {
        var e = context.Message;
        return recorder.Record(
            e.CallSid, e.StreamSid, context.MessageId?.ToString("N"),
            new CallStreamStopped(e.CallSid, e.StreamSid, StreamStopReasonWire.Parse(e.Reason), e.OccurredAt), context.CancellationToken);
    }
}
