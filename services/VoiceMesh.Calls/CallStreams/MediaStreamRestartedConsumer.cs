using MassTransit;
using VoiceMesh.Contracts.MediaStreams;

namespace VoiceMesh.Calls.CallStreams;

/// <summary>Links a dropped stream of the call to the stream Twilio restarted it as: the gap in the call's audio. Idempotent.</summary>
public sealed class MediaStreamRestartedConsumer(CallStreamRecorder recorder) : IConsumer<MediaStreamRestarted>
{
    public Task Consume(ConsumeContext<MediaStreamRestarted> context)
    {
        var e = context.Message;
        return recorder.Record(
            e.CallSid, e.StreamSid, context.MessageId?.ToString("N"),
            new CallStreamRestarted(e.CallSid, e.StreamSid, e.RestartedStreamSid, e.DroppedAt, e.OccurredAt), context.CancellationToken);
    }
}
