namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Reads Twilio's wire strings into a service's typed values through the one <c>ToWire</c> conversion the enum
/// declares, so each string is written once.
/// </summary>
public static class WireValues
{
    /// <summary>The value whose wire string is <paramref name="wire"/> (ordinal), if any.</summary>
    public static bool TryParse<T>(string? wire, Func<T, string> toWire, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(toWire(candidate), wire, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
