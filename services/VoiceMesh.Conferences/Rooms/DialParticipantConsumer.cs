using MassTransit;
using Twilio.Exceptions;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>Another delivery of the same DialParticipant is dialling right now; this one is held and tried again.</summary>
public sealed class DialInProgressException(string requestId)
    : WorkInProgressException($"Dial {requestId} is being attempted by another delivery.");

/// <summary>
/// Performs a stored dial through Twilio's Participants create, at most once: each attempt is stored on the room
/// before Twilio is asked, so an attempt whose answer was lost is looked up at Twilio before the next
/// (<see cref="CreateAttempts"/>). A room that has the answer already only makes sure the conference's stream has it
/// too. Twilio's "not now" is rethrown for the retry policy to hold the message; any other refusal is recorded as the
/// dial's failure.
/// </summary>
public sealed partial class DialParticipantConsumer(
    RoomCommands rooms, TwilioParticipantDialer dialer, TimeProvider clock, ILogger<DialParticipantConsumer> logger)
    : IConsumer<DialParticipant>
{
    public async Task Consume(ConsumeContext<DialParticipant> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        var deliveryId = context.MessageId?.ToString("N") ?? message.RequestId;
        var (room, _) = await rooms.Load(message.FriendlyName, cancellationToken);
        if (room?.Dial(message.RequestId) is not { } dial)
        {
            return;
        }

        switch (dial.Next(deliveryId, clock.GetUtcNow()))
        {
            case CreateStep.Finished:
                if (dial is { CallSid: { } known, ConferenceSid: { } knownConference })
                {
                    await rooms.Dialed(room, dial.Request, known, knownConference, cancellationToken);
                }

                return;
            case CreateStep.WaitForOtherDelivery:
                throw new DialInProgressException(message.RequestId);
            case CreateStep.LookUp when await dialer.FindDialed(room, dial, cancellationToken) is var (foundCall, foundConference):
                LogFoundByLookup(message.FriendlyName, message.RequestId, foundCall);
                await rooms.Dialed(room, dial.Request, foundCall, foundConference, cancellationToken);
                return;
        }

        if (!await rooms.StartAttempt(room.FriendlyName, message.RequestId, deliveryId, cancellationToken))
        {
            throw new DialInProgressException(message.RequestId);
        }

        try
        {
            var (callSid, conferenceSid) = await dialer.Dial(room, dial.Request);
            await rooms.Dialed(room, dial.Request, callSid, conferenceSid, cancellationToken);
            LogDialed(message.FriendlyName, message.RequestId, callSid, conferenceSid);
        }
        catch (ApiException ex) when (!TwilioErrors.IsTransient(ex))
        {
            await rooms.DialFailed(room, dial.Request, ex.Code, ex.Message, cancellationToken);
            LogRefused(message.FriendlyName, message.RequestId, ex.Code);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dialled request {RequestId} into room {FriendlyName}: call {CallSid} in conference {ConferenceSid}")]
    private partial void LogDialed(string friendlyName, string requestId, string callSid, string conferenceSid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio refused request {RequestId} into room {FriendlyName} with error {ErrorCode}")]
    private partial void LogRefused(string friendlyName, string requestId, int errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} into room {FriendlyName}: an attempt whose answer was lost had created call {CallSid}")]
    private partial void LogFoundByLookup(string friendlyName, string requestId, string callSid);
}
