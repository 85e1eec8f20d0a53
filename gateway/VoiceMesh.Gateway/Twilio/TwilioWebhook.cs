using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace VoiceMesh.Gateway.Twilio;

/// <summary>A Twilio request whose signature checked out: its body, fields and the URL Twilio signed.</summary>
internal sealed record TwilioWebhook(string SignedUrl, byte[] RawBody, IReadOnlyDictionary<string, StringValues> Form)
{
    public string? Field(string name) =>
        Form.TryGetValue(name, out var value) && !StringValues.IsNullOrEmpty(value) ? value.ToString() : null;

    /// <summary>Every field as sent, for the contract's <c>Parameters</c>.</summary>
    public IReadOnlyDictionary<string, string> Parameters() =>
        Form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);

    /// <summary>A non-negative whole number, or null when absent; anything else is added to <paramref name="errors"/>.</summary>
    public int? OptionalInt(string name, Dictionary<string, string[]> errors)
    {
        var raw = Field(name);
        if (raw is null)
        {
            return null;
        }

        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors[name] = [$"{name} must be a non-negative integer."];
        return null;
    }

    /// <summary>
    /// An RFC 2822 date as Twilio sends <c>Timestamp</c> (e.g. <c>Tue, 14 Oct 2025 17:03:41 +0000</c>), or null when
    /// absent; anything else is added to <paramref name="errors"/>.
    /// </summary>
    public DateTimeOffset? OptionalTimestamp(string name, Dictionary<string, string[]> errors)
    {
        var raw = Field(name);
        if (raw is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(raw, ["ddd, dd MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm:ss zzz", "r"],
                CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var value)
            || DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out value))
        {
            return value;
        }

        errors[name] = [$"{name} must be an RFC 2822 date."];
        return null;
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
