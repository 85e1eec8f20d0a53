using Twilio.Exceptions;

namespace VoiceMesh.Calls.Placement;

/// <summary>Which Twilio errors are worth another attempt.</summary>
public static class TwilioErrors
{
    /// <summary>Too many requests (429 / 20429) and server errors: Twilio did not refuse the call itself.</summary>
    public static bool IsTransient(ApiException error) =>
        error.Status is 429 or >= 500 || error.Code is 20429 or 20500 or 20503;
}
