using System.Buffers;

namespace VoiceMesh.Contracts.Calls;

/// <summary>Twilio's call sid format: <c>CA</c> followed by 32 lower-case hex digits.</summary>
public static class CallSids
{
    public const string Description = "CallSid must be CA followed by 32 hex digits.";

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdef");

    public static bool IsValid(string? callSid) =>
        callSid is { Length: 34 } && callSid.StartsWith("CA", StringComparison.Ordinal)
        && !callSid.AsSpan(2).ContainsAnyExcept(HexDigits);
}
