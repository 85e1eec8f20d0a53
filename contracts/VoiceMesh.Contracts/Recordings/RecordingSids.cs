using System.Buffers;

namespace VoiceMesh.Contracts.Recordings;

/// <summary>Twilio's recording and account sid formats: <c>RE</c> / <c>AC</c> followed by 32 lower-case hex digits.</summary>
public static class RecordingSids
{
    public const string Description = "RecordingSid must be RE followed by 32 hex digits.";
    public const string AccountDescription = "AccountSid must be AC followed by 32 hex digits.";

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdef");

    public static bool IsValid(string? recordingSid) => IsSid(recordingSid, "RE");

    public static bool IsValidAccount(string? accountSid) => IsSid(accountSid, "AC");

    private static bool IsSid(string? sid, string prefix) =>
        sid is { Length: 34 } && sid.StartsWith(prefix, StringComparison.Ordinal)
        && !sid.AsSpan(2).ContainsAnyExcept(HexDigits);
}
