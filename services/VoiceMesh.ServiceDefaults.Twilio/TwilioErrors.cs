using Twilio.Exceptions;

namespace VoiceMesh.ServiceDefaults;

/// <summary>Which Twilio answers say "not now" rather than "no".</summary>
public static class TwilioErrors
{
    /// <summary>Twilio's "resource not found" error code.</summary>
    public const int NotFound = 20404;

    /// <summary>Too many requests (429 / 20429) and server errors: Twilio did not refuse the request itself.</summary>
    public static bool IsTransient(ApiException error) => IsTransient(error.Status, error.Code);

    /// <summary>The same, from Twilio's HTTP status and error code.</summary>
    public static bool IsTransient(int httpStatus, int code) =>
        httpStatus is 429 or >= 500 || code is 20429 or 20500 or 20503;
}

/// <summary>
/// Twilio's part of the retry policy: an answer that says "not now" (429, 5xx) after the HTTP pipeline gave up, an
/// open circuit, or no connection at all is an outage; the message is held until Twilio answers. Any other Twilio
/// error is Twilio's "no", which the caller turns into a decision.
/// </summary>
internal sealed class TwilioFailureClassifier : IFailureClassifier
{
    public FailureKind? Classify(Exception exception) => exception switch
    {
        ApiConnectionException => FailureKind.Outage,
        ApiException api when TwilioErrors.IsTransient(api) => FailureKind.Outage,
        _ => null,
    };
}
