using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Control;

/// <summary>Changes and reads live calls at Twilio through the official SDK.</summary>
public sealed partial class TwilioCallControl(ITwilioRestClient client, ILogger<TwilioCallControl> logger)
{
    /// <summary>Twilio's "call is not in progress / already finished" error on an update.</summary>
    private const int CallNotInProgress = 21220;

    public async Task<CallResource> Fetch(string callSid) => await CallResource.FetchAsync(callSid, client: client);

    /// <summary>
    /// Ends the call by what Twilio says its state is: canceled while queued or ringing, completed once answered.
    /// A call that already ended, or that Twilio does not know, is left as it is, so a repeated hang-up changes nothing.
    /// </summary>
    public async Task HangUp(string callSid)
    {
        CallResource call;
        try
        {
            call = await Fetch(callSid);
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            LogUnknown(callSid);
            return;
        }

        var status = call.Status == CallResource.StatusEnum.Queued || call.Status == CallResource.StatusEnum.Ringing
            ? CallResource.UpdateStatusEnum.Canceled
            : call.Status == CallResource.StatusEnum.InProgress ? CallResource.UpdateStatusEnum.Completed : null;
        if (status is null)
        {
            LogAlreadyEnded(callSid);
            return;
        }

        try
        {
            await CallResource.UpdateAsync(new UpdateCallOptions(callSid) { Status = status }, client);
        }
        catch (ApiException ex) when (ex.Code == CallNotInProgress)
        {
            LogAlreadyEnded(callSid);
        }
    }

    public async Task Redirect(string callSid, string? url, string? twiml)
    {
        var update = new UpdateCallOptions(callSid);
        if (twiml is not null)
        {
            update.Twiml = new Twiml(twiml);
        }
        else
        {
            update.Url = new Uri(url!);
        }

        try
        {
            await CallResource.UpdateAsync(update, client);
        }
        catch (ApiException ex) when (ex.Code == CallNotInProgress)
        {
            LogAlreadyEnded(callSid);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallSid} is not known at Twilio; nothing to hang up")]
    private partial void LogUnknown(string callSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallSid} has already ended at Twilio; nothing to change")]
    private partial void LogAlreadyEnded(string callSid);
}
