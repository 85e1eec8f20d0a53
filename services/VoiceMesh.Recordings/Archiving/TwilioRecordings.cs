using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Archiving;

/// <summary>Recordings at Twilio, through the official SDK.</summary>
public sealed class TwilioRecordings(ITwilioRestClient client)
{
    /// <summary>Deletes the recording; returns false when Twilio no longer had it (20404), which is the same outcome.</summary>
    public async Task<bool> Delete(string accountSid, string recordingSid)
    {
        try
        {
            await RecordingResource.DeleteAsync(recordingSid, pathAccountSid: accountSid, client: client);
            return true;
        }
        catch (ApiException ex) when (ex.Code == TwilioErrors.NotFound)
        {
            return false;
        }
    }
}
