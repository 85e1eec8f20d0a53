using PhoneNumbers;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Phone numbers, read by libphonenumber rather than a pattern: a number is written exactly as libphonenumber formats
/// it in E.164 (a '+', the country code, ASCII digits only, nothing before or after), so digits of other scripts, a
/// trailing newline or spaces never pass as a number.
/// </summary>
public static class E164
{
    /// <summary>What <see cref="IsDialable"/> asks for, to name in a 400.</summary>
    public const string Description = "must be an E.164 number such as +14155550100 (a '+', the country code and ASCII digits only).";

    /// <summary>What <see cref="IsTwilioParty"/> asks for, to name in a 400.</summary>
    public const string PartyDescription = "must be an E.164 number, a client:name or a sip: URI.";

    private static readonly PhoneNumberUtil Numbers = PhoneNumberUtil.GetInstance();

    /// <summary>A number VoiceMesh may dial or call from: canonical E.164 of a country that exists, of a possible length.</summary>
    public static bool IsDialable(string? value) =>
        TryCanonical(value, out var number) && Numbers.IsPossibleNumber(number);

    /// <summary>
    /// A caller or callee as Twilio reports it (REFERENCE §2: E.164, <c>client:name</c> or a <c>sip:</c> URI). The E.164
    /// form need only be canonical: Twilio reports anonymous callers with numbers of no real length (+266696687).
    /// </summary>
    public static bool IsTwilioParty(string? value) =>
        value is not null
        && (value.StartsWith("client:", StringComparison.Ordinal) && value.Length > "client:".Length
            || value.StartsWith("sip:", StringComparison.Ordinal) && value.Length > "sip:".Length
            || TryCanonical(value, out _));

    private static bool TryCanonical(string? value, out PhoneNumber number)
    {
        number = new PhoneNumber();
        if (value is not ['+', >= '1' and <= '9', ..] || value.Length > 16)
        {
            return false;
        }

        try
        {
            number = Numbers.Parse(value, null);
        }
        catch (NumberParseException)
        {
            return false;
        }

        return string.Equals(Numbers.Format(number, PhoneNumberFormat.E164), value, StringComparison.Ordinal);
    }
}

/// <summary>An options property that, when set, must be a number <see cref="E164.IsDialable"/> accepts.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class E164NumberAttribute : System.ComponentModel.DataAnnotations.ValidationAttribute
{
    public E164NumberAttribute()
        : base("{0} " + E164.Description)
    {
    }

    public override bool IsValid(object? value) => value is null || value is string number && E164.IsDialable(number);
}
