using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace VoiceMesh.Calls.Costs;

/// <summary>Twilio's <c>price</c> and <c>price_unit</c> of a resource, read as exact money.</summary>
public static class TwilioPrice
{
    /// <summary>
    /// The amount charged for a resource whose <c>price</c> is <paramref name="price"/> (a decimal string, negative for
    /// a charge: <c>"-0.01300"</c> is 0.01300 charged) in <paramref name="priceUnit"/> (ISO 4217). False while Twilio has
    /// not priced it (no price, or no unit) and for a price that is not a plain decimal, so nothing is ever guessed.
    /// </summary>
    public static bool TryParse(string? price, string? priceUnit, [NotNullWhen(true)] out Money? charged)
    {
        charged = null;
        if (string.IsNullOrWhiteSpace(price) || priceUnit is not { Length: 3 } || !priceUnit.All(char.IsAsciiLetter)
            || !decimal.TryParse(price, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        charged = new Money(value == 0 ? Math.Abs(value) : -value, priceUnit.ToUpperInvariant());
        return true;
    }
}
