using System.Security.Cryptography;
using System.Text;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// An API key as it is kept at rest: the SHA-256 of its UTF-8 bytes. A configured key entry is either the key itself
/// (hashed when it is read) or <c>sha256:</c> and the hash's 64 hex digits.
/// </summary>
public static class ApiKeyHash
{
    public const string Prefix = "sha256:";

    /// <summary>The SHA-256 of <paramref name="key"/>'s UTF-8 bytes.</summary>
    public static byte[] Of(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary><paramref name="key"/>'s hash as a configuration entry: <c>sha256:</c> and 64 lowercase hex digits.</summary>
    public static string Entry(string key) => Prefix + Convert.ToHexStringLower(Of(key));

    /// <summary>The hash 64 hex digits stand for; false for anything else.</summary>
    public static bool TryParseHex(string? hex, out byte[] hash)
    {
        hash = [];
        if (hex is not { Length: 64 } || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        hash = Convert.FromHexString(hex);
        return true;
    }

    /// <summary>
    /// The hash a configured entry stands for: the hex after <c>sha256:</c>, or the hash of a plain key; false when the
    /// entry starts with <c>sha256:</c> but no hash follows.
    /// </summary>
    public static bool TryParseEntry(string entry, out byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return TryParseHex(entry[Prefix.Length..], out hash);
        }

        hash = Of(entry);
        return true;
    }

    /// <summary>Whether <paramref name="presented"/> is the key <paramref name="entry"/> stands for, compared in fixed time.</summary>
    public static bool Matches(string entry, string presented) =>
        TryParseEntry(entry, out var hash) && CryptographicOperations.FixedTimeEquals(hash, Of(presented));
}
