namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Text a service can acknowledge and then store: PostgreSQL keeps no U+0000 in <c>text</c> or <c>jsonb</c> (22P05)
/// and no unpaired surrogate, and no field VoiceMesh reads from Twilio or its API carries control characters. Every
/// string from outside passes here before it is acknowledged, so what is answered 2xx can always be applied.
/// </summary>
public static class StorableText
{
    /// <summary>What <see cref="IsSingleLine"/> asks for, to name in a 400.</summary>
    public const string SingleLineDescription = "must not contain control characters (U+0000-U+001F, U+007F-U+009F) or unpaired surrogates.";

    /// <summary>What <see cref="IsMultiLine"/> asks for, to name in a 400.</summary>
    public const string MultiLineDescription = "must not contain control characters other than tab, CR and LF, or unpaired surrogates.";

    /// <summary>No control character at all and well-formed UTF-16.</summary>
    public static bool IsSingleLine(string value) => IsStorable(value, allowLineBreaks: false);

    /// <summary>Tab, CR and LF allowed (a TwiML document); no other control character, and well-formed UTF-16.</summary>
    public static bool IsMultiLine(string value) => IsStorable(value, allowLineBreaks: true);

    private static bool IsStorable(string value, bool allowLineBreaks)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && !(allowLineBreaks && c is '\t' or '\r' or '\n'))
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
