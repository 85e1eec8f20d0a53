using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.CallStreams;

/// <summary>Stores a media stream event on its call's stream through the command path, deduplicated by message id and by content.</summary>
public sealed partial class CallStreamRecorder(StreamCommands commands, ILogger<CallStreamRecorder> logger)
{
    public async Task Record(string callSid, string streamSid, string? messageId, object observed, CancellationToken cancellationToken)
    {
        var appended = await commands.Execute<Call>(callSid, messageId, call => CallStreamDecision.Decide(call, observed), cancellationToken);
        if (appended.Count > 0)
        {
            LogRecorded(observed.GetType().Name, streamSid, callSid);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Event} for stream {StreamSid} of call {CallSid}")]
    private partial void LogRecorded(string @event, string streamSid, string callSid);
}
