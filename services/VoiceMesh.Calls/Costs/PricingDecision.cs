using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Costs;

/// <summary>What a look at Twilio that found no price changes on a call; pure, tested without a database or Twilio.</summary>
public static class PricingDecision
{
    /// <summary>
    /// A final call still without a price records the look (with Twilio's error code when Twilio refused), so the call
    /// waits <c>RetryAfter</c> before the next; a call gone, live or priced meanwhile changes nothing.
    /// </summary>
    public static Decision Checked(Call? call, DateTimeOffset now, int? twilioErrorCode) =>
        call is { IsTerminal: true, Price: null }
            ? new object[] { new CallPriceChecked(call.Id, now, twilioErrorCode) }
            : Decision.None;
}
