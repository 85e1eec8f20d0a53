using System.Globalization;

namespace VoiceMesh.TwilioSimulator.Calls;

/// <summary>A per-minute rate (in the price list's unit) for calls to numbers starting with <see cref="Prefix"/> (e.g. <c>+44</c>).</summary>
public sealed record CallRate
{
    public required string Prefix { get; init; }

    public required decimal PerMinute { get; init; }
}

/// <summary>
/// How the simulator rates calls, as Twilio does: the destination's per-minute rate (the longest matching
/// <see cref="CallRate.Prefix"/> of <c>To</c>, else <see cref="DefaultPerMinute"/>) times the billed minutes (the call's
/// <c>duration</c> rounded up to whole minutes); a call that was never answered costs nothing. The price is set
/// <see cref="DelaySeconds"/> of the simulator's clock (multiplied by <c>TimeScale</c>) after the call ended.
/// </summary>
public sealed record CallPriceList
{
    public decimal DefaultPerMinute { get; init; } = 0.0140m;

    public IReadOnlyList<CallRate> Rates { get; init; } = [];

    public double DelaySeconds { get; init; } = 2;

    /// <summary>ISO 4217 code, Twilio's <c>price_unit</c>.</summary>
    public string PriceUnit { get; init; } = "USD";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that makes no price list.</summary>
    public void Validate()
    {
        if (DefaultPerMinute < 0)
        {
            throw new ArgumentException("defaultPerMinute must not be negative.", nameof(DefaultPerMinute));
        }

        if (Rates is null || Rates.Any(r => r is null))
        {
            throw new ArgumentException("rates must be a list of {prefix, perMinute}.", nameof(Rates));
        }

        if (Rates.FirstOrDefault(r => string.IsNullOrEmpty(r.Prefix) || r.Prefix[0] != '+' || !r.Prefix[1..].All(char.IsAsciiDigit)) is { } badPrefix)
        {
            throw new ArgumentException($"rates: prefix '{badPrefix.Prefix}' is not '+' and digits.", nameof(Rates));
        }

        if (Rates.FirstOrDefault(r => r.PerMinute < 0) is { } negative)
        {
            throw new ArgumentException($"rates: perMinute of {negative.Prefix} must not be negative.", nameof(Rates));
        }

        if (double.IsNaN(DelaySeconds) || DelaySeconds is < 0 or > 86_400)
        {
            throw new ArgumentException("delaySeconds is between 0 and 86400.", nameof(DelaySeconds));
        }

        if (PriceUnit is not { Length: 3 } || !PriceUnit.All(char.IsAsciiLetterUpper))
        {
            throw new ArgumentException("priceUnit is an ISO 4217 code such as USD.", nameof(PriceUnit));
        }
    }

    /// <summary>The rate of the longest prefix of <paramref name="to"/>, else the default.</summary>
    public decimal RateFor(string to) =>
        Rates.Where(r => to.StartsWith(r.Prefix, StringComparison.Ordinal)).MaxBy(r => r.Prefix.Length)?.PerMinute ?? DefaultPerMinute;
}

/// <summary>
/// The simulator's record of what it charged for a call, fixed when the call ended: <see cref="Price"/> is the string
/// the Call resource shows from <see cref="PricedAt"/> on (negative for a charge, five decimals), <see cref="Charge"/>
/// the same amount as a positive decimal.
/// </summary>
public sealed record SimulatedCallPrice(
    string CallSid,
    string To,
    string Status,
    int DurationSeconds,
    int BilledMinutes,
    decimal PerMinute,
    string Price,
    decimal Charge,
    string PriceUnit,
    DateTimeOffset PricedAt);

/// <summary>The price list in force; thread-safe.</summary>
internal sealed class CallPricing
{
    private CallPriceList _list = new();

    public CallPriceList List
    {
        get => Volatile.Read(ref _list);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            Volatile.Write(ref _list, value);
        }
    }

    /// <summary>
    /// What a call that ended <paramref name="status"/> after <paramref name="durationSeconds"/> of talk costs, priced
    /// at <paramref name="pricedAt"/>: a completed call its billed minutes at the destination's rate, any other
    /// (busy, no-answer, failed, canceled: never answered) nothing.
    /// </summary>
    public static SimulatedCallPrice Price(CallPriceList list, string callSid, string to, string status, int durationSeconds, DateTimeOffset pricedAt)
    {
        var minutes = status == "completed" ? (durationSeconds + 59) / 60 : 0;
        var perMinute = list.RateFor(to);
        var charge = decimal.Round(perMinute * minutes, 5, MidpointRounding.AwayFromZero);
        var price = charge == 0
            ? "0.00000"
            : "-" + charge.ToString("0.00000", CultureInfo.InvariantCulture);
        return new SimulatedCallPrice(callSid, to, status, durationSeconds, minutes, perMinute, price, charge, list.PriceUnit, pricedAt);
    }
}
