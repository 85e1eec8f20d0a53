using System.Globalization;
using Microsoft.Extensions.Primitives;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>
/// A Twilio request whose signature checked out, and the one strict reader of its fields: every mapper reads Twilio's
/// values through it, so a field means the same everywhere. <see cref="Check"/> has already refused, for every
/// <c>/twilio/*</c> request, control characters in any field.
/// </summary>
internal sealed record TwilioWebhook(string SignedUrl, byte[] RawBody, IReadOnlyDictionary<string, StringValues> Form)
{
    /// <summary>RFC 2822 date-times (REFERENCE §2), with or without the day name and the seconds; the zone is read apart.</summary>
    private static readonly string[] Rfc2822DateTimes =
        ["ddd, d MMM yyyy HH:mm:ss", "d MMM yyyy HH:mm:ss", "ddd, d MMM yyyy HH:mm", "d MMM yyyy HH:mm"];

    /// <summary>
    /// What is wrong with a signed request whatever its path: a field name or value (form or query) with a control
    /// character or an unpaired surrogate, which PostgreSQL could not store or a log would misquote. The
    /// <c>AccountSid</c> was checked with the signature (it named the account whose token signed the request) and must
    /// be sent once.
    /// </summary>
    public static Dictionary<string, string[]> Check(IEnumerable<KeyValuePair<string, StringValues>> fields)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in fields)
        {
            if (!StorableText.IsSingleLine(name))
            {
                errors["(field name)"] = ["A field name " + StorableText.SingleLineDescription];
                continue;
            }

            if (values.Any(v => v is not null && !StorableText.IsSingleLine(v)))
            {
                errors[name] = [$"{name} {StorableText.SingleLineDescription}"];
            }
            else if (name == "AccountSid" && values.Count != 1)
            {
                // Once: the mappers read a repeated field as its values joined by commas, which no account is.
                errors[name] = ["AccountSid must be sent once."];
            }
        }

        return errors;
    }

    public string? Field(string name) =>
        Form.TryGetValue(name, out var value) && !StringValues.IsNullOrEmpty(value) ? value.ToString() : null;

    /// <summary>Every field as sent, for the contract's <c>Parameters</c>.</summary>
    public IReadOnlyDictionary<string, string> Parameters() =>
        Form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);

    /// <summary>
    /// A non-negative whole number of ASCII digits only, or null when absent; anything else (a sign, spaces, a
    /// trailing NUL, which .NET's own parser accepts, digits of other scripts) is added to <paramref name="errors"/>.
    /// </summary>
    public int? OptionalInt(string name, Dictionary<string, string[]> errors)
    {
        var raw = Field(name);
        if (raw is null)
        {
            return null;
        }

        if (raw.Length <= 9 && raw.All(char.IsAsciiDigit))
        {
            return int.Parse(raw, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        errors[name] = [$"{name} must be a non-negative integer of at most 9 digits."];
        return null;
    }

    /// <summary>
    /// An RFC 2822 date-time such as <c>Tue, 14 Oct 2025 17:03:41 +0000</c>, or null when absent. Only that form is
    /// read: <c>12:00</c> or <c>5/6</c>, which a lenient parser turns into dates, are errors.
    /// </summary>
    public DateTimeOffset? OptionalTimestamp(string name, Dictionary<string, string[]> errors)
    {
        var raw = Field(name);
        if (raw is null)
        {
            return null;
        }

        var split = raw.LastIndexOf(' ');
        if (split > 0
            && Offset(raw[(split + 1)..]) is { } offset
            && DateTime.TryParseExact(raw[..split], Rfc2822DateTimes, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }

        errors[name] = [$"{name} must be an RFC 2822 date-time such as 'Tue, 14 Oct 2025 17:03:41 +0000'."];
        return null;
    }

    /// <summary>A caller or callee (<c>From</c>, <c>To</c>, ...): E.164, <c>client:name</c> or <c>sip:</c>, or null when absent.</summary>
    public string? OptionalParty(string name, Dictionary<string, string[]> errors)
    {
        var raw = Field(name);
        if (raw is not null && !E164.IsTwilioParty(raw))
        {
            errors[name] = [$"{name} {E164.PartyDescription}"];
            return null;
        }

        return raw;
    }

    /// <summary>RFC 2822's zone: <c>+hhmm</c> or <c>-hhmm</c>, or the obsolete <c>GMT</c>/<c>UT</c>.</summary>
    private static TimeSpan? Offset(string zone)
    {
        if (zone is "GMT" or "UT")
        {
            return TimeSpan.Zero;
        }

        if (zone is not ['+' or '-', _, _, _, _] || zone.AsSpan(1).ContainsAnyExceptInRange('0', '9'))
        {
            return null;
        }

        var hours = int.Parse(zone.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        var minutes = int.Parse(zone.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        if (hours > 14 || minutes > 59)
        {
            return null;
        }

        var offset = new TimeSpan(hours, minutes, 0);
        return zone[0] == '-' ? -offset : offset;
    }

    /// <summary>Twilio's <c>true</c>/<c>false</c>, or null when absent; anything else is added to <paramref name="errors"/>.</summary>
    public bool? OptionalBool(string name, Dictionary<string, string[]> errors)
    {
        switch (Field(name))
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            default:
                errors[name] = [$"{name} must be true or false."];
                return null;
        }
    }
}
