using System.Buffers;

namespace VoiceMesh.Contracts.Conferences;

/// <summary>Twilio's conference sid format: <c>CF</c> followed by 32 hex digits.</summary>
public static class ConferenceSids
{
    public const string Description = "ConferenceSid must be CF followed by 32 hex digits.";

    /// <summary>Twilio's longest room name.</summary>
    public const int MaxFriendlyNameLength = 128;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public static bool IsValid(string? conferenceSid) =>
        conferenceSid is { Length: 34 } && conferenceSid.StartsWith("CF", StringComparison.Ordinal)
        && !conferenceSid.AsSpan(2).ContainsAnyExcept(HexDigits);
}
