using MassTransit;
using VoiceMesh.Contracts.Recordings;

namespace VoiceMesh.Calls.CallRecordings;

/// <summary>Lists an archived recording on its call (<c>recordings</c> in the call read model). Idempotent.</summary>
public sealed class RecordingArchivedConsumer(CallRecordingLinker linker) : IConsumer<RecordingArchived>
{
    public Task Consume(ConsumeContext<RecordingArchived> context) =>
        context.Message is { CallSid: { } callSid } archived
            ? linker.Link(new CallRecordingLinked(callSid, archived.RecordingSid, CallRecordingStatus.Archived, archived.OccurredAt), context.CancellationToken)
            : Task.CompletedTask;
}
