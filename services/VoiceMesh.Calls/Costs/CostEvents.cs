namespace VoiceMesh.Calls.Costs;

/// <summary>An exact amount of money (never a float) in a currency: ISO 4217, as Twilio's <c>price_unit</c>.</summary>
public sealed record Money(decimal Amount, string Currency);

/// <summary>
/// The price Twilio charged for the call, read once the call was final and Twilio had set it: <see cref="Price"/> is
/// the cost (Twilio reports charges as negative prices; this is the amount charged, zero or more).
/// </summary>
public sealed record CallPriced
{
    public required string CallSid { get; init; }
    public required Money Price { get; init; }
    public required DateTimeOffset PricedAt { get; init; }
}

/// <summary>
/// Pricing asked Twilio about the final call and Twilio had not priced it yet (or refused to say, with its error code):
/// recorded so the call is asked again only at <see cref="NextCheckAt"/> and the calls behind it get their turn.
/// </summary>
public sealed record CallPriceChecked(string CallSid, DateTimeOffset CheckedAt, int? TwilioErrorCode, DateTimeOffset NextCheckAt);
