using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallRecordings;

/// <summary>
/// Records a recording's status on its call's stream through the command path, for each Recordings service event
/// that moves it. Idempotent; a recording of a call this service does not know is logged and not linked.
/// </summary>
public sealed partial class CallRecordingLinker(StreamCommands commands, ILogger<CallRecordingLinker> logger)
{
    public async Task Link(CallRecordingLinked linked, CancellationToken cancellationToken)
    {
        var known = false;
        await commands.Execute<Call>(linked.CallSid, null, call =>
        {
            known = call is not null;
            return CallRecordingDecision.Decide(call, linked);
        }, cancellationToken);
        if (!known)
        {
            LogUnknownCall(linked.RecordingSid, linked.CallSid);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recording {RecordingSid} is of call {CallSid}, which this service does not know; not linked")]
    private partial void LogUnknownCall(string recordingSid, string callSid);
}
