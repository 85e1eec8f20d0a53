using MassTransit;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>
/// Deletes a number at Twilio once its quarantine ended, then records it released. Reads the stream first, so a
/// repeat deletes nothing twice; a number Twilio no longer holds (20404) counts as deleted.
/// </summary>
public sealed partial class DeleteNumberAtTwilioConsumer(
    StreamCommands commands, ITwilioRestClient twilio, TimeProvider clock, ILogger<DeleteNumberAtTwilioConsumer> logger)
    : IConsumer<DeleteNumberAtTwilio>
{
    public async Task Consume(ConsumeContext<DeleteNumberAtTwilio> context)
    {
        var command = context.Message;
        if (await commands.Load<Number>(command.PhoneNumber, context.CancellationToken) is not { State: NumberState.Quarantined, DeletionRequested: true })
        {
            return;
        }

        var alreadyGone = false;
        try
        {
            await IncomingPhoneNumberResource.DeleteAsync(command.PhoneNumberSid, client: twilio);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            alreadyGone = true;
        }

        await commands.Execute<Number>(command.PhoneNumber, null, n => Number.Released(n, alreadyGone, clock.GetUtcNow()), context.CancellationToken);
        LogReleased(command.PhoneNumberSid, alreadyGone);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Number {PhoneNumberSid} released at Twilio (already gone: {AlreadyGone})")]
    private partial void LogReleased(string phoneNumberSid, bool alreadyGone);
}
