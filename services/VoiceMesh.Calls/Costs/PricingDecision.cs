using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Costs;

/// <summary>What a look at Twilio that found no price changes on a call; pure, tested without a database or Twilio.</summary>
public static class PricingDecision
{
    /// <summary>
    /// A final call still without a price records the look (with Twilio's error code when Twilio refused) and when to
    /// look again: <paramref name="retryAfter"/> after the first look, twice as long after each further one, never more
    /// than <paramref name="maxRetryAfter"/>, so a call Twilio never prices costs ever fewer looks. A call gone, live or
    /// priced meanwhile changes nothing.
    /// </summary>
    public static Decision Checked(Call? call, DateTimeOffset now, int? twilioErrorCode, TimeSpan retryAfter, TimeSpan maxRetryAfter)
    {
        if (call is not { IsTerminal: true, Price: null })
        {
            return Decision.None;
        }

        var wait = retryAfter;
        for (var i = 0; i < call.PriceChecks && wait < maxRetryAfter; i++)
        {
            wait *= 2;
        }

        return new object[] { new CallPriceChecked(call.Id, now, twilioErrorCode, now + (wait < maxRetryAfter ? wait : maxRetryAfter)) };
    }
}
