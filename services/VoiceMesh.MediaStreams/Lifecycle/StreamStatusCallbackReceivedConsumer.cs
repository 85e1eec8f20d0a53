using MassTransit;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Lifecycle;

/// <summary>
/// Records Twilio's stream status callbacks on the stream's own stream (keyed by StreamSid), whether they arrive
/// before the WebSocket's <c>start</c>, during or after it. A callback the stream holds appends nothing.
/// </summary>
public sealed partial class StreamStatusCallbackReceivedConsumer(
    StreamCommands commands, ILogger<StreamStatusCallbackReceivedConsumer> logger) : IConsumer<StreamStatusCallbackReceived>
{
    public async Task Consume(ConsumeContext<StreamStatusCallbackReceived> context)
    {
        var callback = context.Message;
        var messageId = context.MessageId?.ToString("N") ?? callback.IdempotencyKey;
        var reported = new StreamReported(
            callback.StreamSid, callback.CallSid, callback.StreamName, TwilioStreamEventWire.Parse(callback.StreamEvent), callback.StreamError, callback.ReceivedAt);
        var appended = await commands.Execute<StreamLifecycle>(
            callback.StreamSid, messageId, stream => StreamLifecycle.Decide(stream, reported), context.CancellationToken);
        if (appended.Count > 0)
        {
            LogReported(callback.StreamSid, callback.CallSid, callback.StreamEvent);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Twilio reported {StreamEvent} for stream {StreamSid} of call {CallSid}")]
    private partial void LogReported(string streamSid, string callSid, string streamEvent);
}
