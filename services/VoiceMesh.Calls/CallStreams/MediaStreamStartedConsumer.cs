using MassTransit;
using VoiceMesh.Contracts.MediaStreams;

namespace VoiceMesh.Calls.CallStreams;

/// <summary>Lists a started media stream on its call (<c>streams</c> in the call read model). Idempotent.</summary>
public sealed class MediaStreamStartedConsumer(CallStreamRecorder recorder) : IConsumer<MediaStreamStarted>
{
    public Task Consume(ConsumeContext<MediaStreamStarted> context)
    {
        var e = context.Message;
        return recorder.Record(
            e.CallSid, e.StreamSid, context.MessageId?.ToString("N"),
            new CallStreamStarted(e.CallSid, e.StreamSid, e.Tracks, e.CustomParameters, e.OccurredAt), context.CancellationToken);
    }
}
