using MassTransit;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>
/// Buys one planned number: starts its stream (provisioning), then asks Twilio whether the account owns it already (a
/// purchase whose answer was lost) before buying it with its Voice URL, Voice fallback URL and status callback at the gateway, and records
/// the outcome: active, or refused with Twilio's error. A number the service held before, or already decided, is left
/// alone. A crash between the purchase and the record leaves the message unacknowledged; its redelivery finds the
/// number owned and records it.
/// </summary>
public sealed partial class PurchaseNumberConsumer(
    StreamCommands commands, TwilioNumbers twilio, IOptions<NumberPoolOptions> options, TimeProvider clock, ILogger<PurchaseNumberConsumer> logger)
    : IConsumer<PurchaseNumber>
{
    public async Task Consume(ConsumeContext<PurchaseNumber> context)
    {
        var command = context.Message;
        var cancellationToken = context.CancellationToken;
        var started = new NumberProvisioningStarted(command.PhoneNumber, command.Pool, command.RequestId, command.RequestedBy, clock.GetUtcNow());
        await commands.Execute<Number>(command.PhoneNumber, null, n => Number.StartProvisioning(n, started), cancellationToken);
        if (await commands.Load<Number>(command.PhoneNumber, cancellationToken) is not { State: NumberState.Provisioning } number
            || number.RequestId != command.RequestId)
        {
            return;
        }

        var sid = await twilio.Owned(command.PhoneNumber);
        object outcome;
        if (sid is null)
        {
            var bought = await twilio.Buy(command.PhoneNumber, command.Pool, options.Value.Webhooks);
            sid = bought.PhoneNumberSid;
            outcome = sid is null
                ? new NumberProvisioningRefused(command.PhoneNumber, command.Pool, command.RequestId, bought.ErrorCode!.Value, bought.ErrorMessage!, clock.GetUtcNow())
                : Activation.Of(command.PhoneNumber, sid, command.Pool, NumberOrigin.Purchased, options.Value, command.RequestedBy, clock.GetUtcNow());
        }
        else
        {
            await twilio.Point(sid, options.Value.Webhooks);
            outcome = Activation.Of(command.PhoneNumber, sid, command.Pool, NumberOrigin.Purchased, options.Value, command.RequestedBy, clock.GetUtcNow());
        }

        await commands.Execute<Number>(command.PhoneNumber, null, n => Number.Complete(n, outcome), cancellationToken);
        if (outcome is NumberProvisioningRefused refused)
        {
            LogRefused(command.RequestId, refused.ErrorCode, refused.ErrorMessage);
        }
        else
        {
            LogBought(command.RequestId, sid!);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Provisioning {RequestId}: bought {PhoneNumberSid}")]
    private partial void LogBought(string requestId, string phoneNumberSid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Provisioning {RequestId}: Twilio refused a number ({ErrorCode}: {ErrorMessage})")]
    private partial void LogRefused(string requestId, int errorCode, string errorMessage);
}
