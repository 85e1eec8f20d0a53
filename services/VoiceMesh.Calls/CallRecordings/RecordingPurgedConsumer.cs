using MassTransit;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallRecordings;

/// <summary>Marks a recording of the call purged in the call read model. Idempotent; purged is final.</summary>
public sealed partial class RecordingPurgedConsumer(StreamCommands commands, ILogger<RecordingPurgedConsumer> logger)
    : IConsumer<RecordingPurged>
{
    public async Task Consume(ConsumeContext<RecordingPurged> context)
    {
        var purged = context.Message;
        if (purged.CallSid is not { } callSid)
        {
            return;
        }

        var linked = new CallRecordingLinked(callSid, purged.RecordingSid, CallRecordingStatus.Purged, purged.OccurredAt);
        var known = false;
        await commands.Execute<Call>(callSid, null, call =>
        {
            known = call is not null;
            return CallRecordingDecision.Decide(call, linked);
        }, context.CancellationToken);
        if (!known)
        {
            LogUnknownCall(purged.RecordingSid, callSid);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} is of call {CallSid}, which this service does not know; not linked")]
    private partial void LogUnknownCall(string recordingSid, string callSid);
}
