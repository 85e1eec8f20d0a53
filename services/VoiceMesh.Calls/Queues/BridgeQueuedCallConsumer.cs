using MassTransit;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account.Queue;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Queues;

/// <summary>
/// Takes the chosen caller out of Twilio's queue with the queue member update, pointing it at the bridge TwiML that
/// dials the agent. A caller Twilio no longer lists (bridged by an earlier delivery, or hung up) is left alone.
/// </summary>
public sealed partial class BridgeQueuedCallConsumer(
    ITwilioRestClient twilio, IOptions<CallsOptions> options, ILogger<BridgeQueuedCallConsumer> logger) : IConsumer<BridgeQueuedCall>
{
    public async Task Consume(ConsumeContext<BridgeQueuedCall> context)
    {
        var command = context.Message;
        var bridge = $"{options.Value.PublicBaseUrl.TrimEnd('/')}/twilio/voice/queue/bridge?to={Uri.EscapeDataString(command.To)}"
            + (command.CallerId is null ? "" : $"&callerId={Uri.EscapeDataString(command.CallerId)}");
        try
        {
            await MemberResource.UpdateAsync(command.QueueSid, command.CallSid, new Uri(bridge), method: Twilio.Http.HttpMethod.Post, client: twilio);
            LogBridged(command.CallSid, command.Queue);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            LogNotWaiting(command.CallSid, command.Queue);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} taken out of queue {Queue} to an agent")]
    private partial void LogBridged(string callSid, string queue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} no longer waits in queue {Queue}; nothing to bridge")]
    private partial void LogNotWaiting(string callSid, string queue);
}
