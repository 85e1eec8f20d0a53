using MassTransit;
using Twilio.Exceptions;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>
/// Performs a stored dial through Twilio's Participants create, unless the room has its answer already (then it only
/// makes sure the conference's stream has it too). Twilio's "not now" is rethrown for the retry policy to hold the
/// message; any other refusal is recorded as the dial's failure.
/// </summary>
public sealed partial class DialParticipantConsumer(RoomCommands rooms, TwilioParticipantDialer dialer, ILogger<DialParticipantConsumer> logger)
    : IConsumer<DialParticipant>
{
    public async Task Consume(ConsumeContext<DialParticipant> context)
    {
        var message = context.Message;
        var (room, _) = await rooms.Load(message.FriendlyName, context.CancellationToken);
        if (room?.Dial(message.RequestId) is not { } dial || dial.Failed)
        {
            return;
        }

        if (dial is { CallSid: { } known, ConferenceSid: { } knownConference })
        {
            await rooms.Dialed(room, dial.Request, known, knownConference, context.CancellationToken);
            return;
        }

        try
        {
            var (callSid, conferenceSid) = await dialer.Dial(room, dial.Request);
            await rooms.Dialed(room, dial.Request, callSid, conferenceSid, context.CancellationToken);
            LogDialed(message.FriendlyName, message.RequestId, callSid, conferenceSid);
        }
        catch (ApiException ex) when (!TwilioErrors.IsTransient(ex))
        {
            await rooms.DialFailed(room, dial.Request, ex.Code, ex.Message, context.CancellationToken);
            LogRefused(message.FriendlyName, message.RequestId, ex.Code);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dialled request {RequestId} into room {FriendlyName}: call {CallSid} in conference {ConferenceSid}")]
    private partial void LogDialed(string friendlyName, string requestId, string callSid, string conferenceSid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio refused request {RequestId} into room {FriendlyName} with error {ErrorCode}")]
    private partial void LogRefused(string friendlyName, string requestId, int errorCode);
}
