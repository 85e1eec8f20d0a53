using MassTransit;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallRecordings;

/// <summary>Lists an archived recording on its call (<c>recordings</c> in the call read model). Idempotent.</summary>
public sealed partial class RecordingArchivedConsumer(StreamCommands commands, ILogger<RecordingArchivedConsumer> logger)
    : IConsumer<RecordingArchived>
{
    public async Task Consume(ConsumeContext<RecordingArchived> context)
    {
        var archived = context.Message;
        if (archived.CallSid is not { } callSid)
        {
            return;
        }

        var linked = new CallRecordingLinked(callSid, archived.RecordingSid, CallRecordingStatus.Archived, archived.OccurredAt);
        var known = false;
        await commands.Execute<Call>(callSid, null, call =>
        {
            known = call is not null;
            return CallRecordingDecision.Decide(call, linked);
        }, context.CancellationToken);
        if (!known)
        {
            LogUnknownCall(archived.RecordingSid, callSid);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} is of call {CallSid}, which this service does not know; not linked")]
    private partial void LogUnknownCall(string recordingSid, string callSid);
}
