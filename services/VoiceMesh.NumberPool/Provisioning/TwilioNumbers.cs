using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.AvailablePhoneNumberCountry;
using Twilio.Types;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>Twilio's answer to a purchase: the number's sid, or its refusal (error code and message).</summary>
public sealed record PurchaseResult(string? PhoneNumberSid, int? ErrorCode, string? ErrorMessage);

/// <summary>
/// The Twilio REST calls of provisioning, through the SDK (its client carries the resilience pipeline). A transient
/// failure (429/5xx after the HTTP retries, no connection) is thrown for the retry policy to hold the message; any
/// other Twilio error is Twilio's "no" and is returned.
/// </summary>
public sealed class TwilioNumbers(ITwilioRestClient twilio)
{
    /// <summary>Up to <paramref name="wanted"/> available local numbers in an area code or region.</summary>
    public async Task<(IReadOnlyList<string> Numbers, string? Refusal)> Search(
        string country, int? areaCode, string? region, IReadOnlyList<string> capabilities, int wanted)
    {
        try
        {
            var page = await LocalResource.ReadAsync(
                country,
                areaCode: areaCode,
                inRegion: region,
                voiceEnabled: capabilities.Contains(Contracts.Numbers.NumberCapabilities.Voice) ? true : null,
                smsEnabled: capabilities.Contains(Contracts.Numbers.NumberCapabilities.Sms) ? true : null,
                mmsEnabled: capabilities.Contains(Contracts.Numbers.NumberCapabilities.Mms) ? true : null,
                pageSize: Math.Min(wanted, 1000),
                limit: wanted,
                client: twilio);
            return ([.. page.Select(n => n.PhoneNumber.ToString())], null);
        }
        catch (ApiException ex) when (!TwilioErrors.IsTransient(ex))
        {
            return ([], $"Twilio {ex.Code}: {ex.Message}");
        }
    }

    /// <summary>The account's number with this E.164 form, if it owns it (a purchase whose answer was lost, or an import).</summary>
    public async Task<string?> Owned(string phoneNumber)
    {
        var owned = await IncomingPhoneNumberResource.ReadAsync(phoneNumber: new PhoneNumber(phoneNumber), client: twilio);
        return owned.FirstOrDefault(n => n.PhoneNumber.ToString() == phoneNumber)?.Sid;
    }

    public async Task<PurchaseResult> Buy(string phoneNumber, string pool, NumberWebhooks webhooks)
    {
        try
        {
            var bought = await IncomingPhoneNumberResource.CreateAsync(
                phoneNumber: new PhoneNumber(phoneNumber), friendlyName: $"voicemesh {pool}",
                voiceUrl: webhooks.VoiceUrl, voiceMethod: Twilio.Http.HttpMethod.Post,
                voiceFallbackUrl: webhooks.VoiceFallbackUrl, voiceFallbackMethod: Twilio.Http.HttpMethod.Post,
                statusCallback: webhooks.StatusCallback, statusCallbackMethod: Twilio.Http.HttpMethod.Post,
                client: twilio);
            return new PurchaseResult(bought.Sid, null, null);
        }
        catch (ApiException ex) when (!TwilioErrors.IsTransient(ex))
        {
            return new PurchaseResult(null, ex.Code, ex.Message);
        }
    }

    /// <summary>Points an owned number's Voice URL, Voice fallback URL and status callback at the gateway.</summary>
    public Task Point(string phoneNumberSid, NumberWebhooks webhooks) =>
        IncomingPhoneNumberResource.UpdateAsync(
            phoneNumberSid,
            voiceUrl: webhooks.VoiceUrl, voiceMethod: Twilio.Http.HttpMethod.Post,
            voiceFallbackUrl: webhooks.VoiceFallbackUrl, voiceFallbackMethod: Twilio.Http.HttpMethod.Post,
            statusCallback: webhooks.StatusCallback, statusCallbackMethod: Twilio.Http.HttpMethod.Post,
            client: twilio);
}
