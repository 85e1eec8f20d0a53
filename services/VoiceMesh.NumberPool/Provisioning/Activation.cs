using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Routing;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>The activation of an owned number: where it is (for local presence) and where its webhooks go.</summary>
internal static class Activation
{
    public static NumberActivated Of(
        string phoneNumber, string phoneNumberSid, string pool, NumberOrigin origin, NumberPoolOptions options, string requestedBy, DateTimeOffset now)
    {
        var location = NumberGeography.Locate(phoneNumber);
        return new NumberActivated
        {
            PhoneNumber = phoneNumber,
            PhoneNumberSid = phoneNumberSid,
            Pool = pool,
            Origin = origin,
            IsoCountry = location?.IsoCountry ?? "",
            AreaCode = location?.AreaCode,
            Exchange = location?.Exchange,
            Region = location?.Region,
            TimeZone = location?.TimeZone,
            VoiceUrl = options.VoiceUrl,
            VoiceFallbackUrl = options.VoiceFallbackUrl,
            StatusCallback = options.StatusCallbackUrl,
            RequestedBy = requestedBy,
            ActivatedAt = now,
        };
    }
}
