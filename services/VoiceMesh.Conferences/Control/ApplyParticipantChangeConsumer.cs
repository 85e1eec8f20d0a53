using MassTransit;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Control;

/// <summary>Performs a participant change unless a newer request for the same flag was stored since (then this copy is stale).</summary>
public sealed partial class ApplyParticipantChangeConsumer(StreamCommands commands, TwilioConferenceControl twilio, ILogger<ApplyParticipantChangeConsumer> logger)
    : IConsumer<ApplyParticipantChange>
{
    public async Task Consume(ConsumeContext<ApplyParticipantChange> context)
    {
        var change = context.Message;
        if (await commands.Load<Conference>(change.ConferenceSid, context.CancellationToken) is not { } conference || !ControlActions.IsLatest(conference, change))
        {
            LogStale(change.ConferenceSid, change.CallSid, change.RequestId);
            return;
        }

        await twilio.Change(change);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} for call {CallSid} in conference {ConferenceSid} was overtaken by a newer one; not performed")]
    private partial void LogStale(string conferenceSid, string callSid, string requestId);
}
