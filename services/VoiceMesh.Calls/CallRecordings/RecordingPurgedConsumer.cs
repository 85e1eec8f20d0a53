using MassTransit;
using VoiceMesh.Contracts.Recordings;

namespace VoiceMesh.Calls.CallRecordings;

/// <summary>Marks a recording of the call purged in the call read model. Idempotent; purged is final.</summary>
public sealed class RecordingPurgedConsumer(CallRecordingLinker linker) : IConsumer<RecordingPurged>
{
    public Task Consume(ConsumeContext<RecordingPurged> context) =>
        context.Message is { CallSid: { } callSid } purged
            ? linker.Link(new CallRecordingLinked(callSid, purged.RecordingSid, CallRecordingStatus.Purged, purged.OccurredAt), context.CancellationToken)
            : Task.CompletedTask;
}
