using System.Text.RegularExpressions;

namespace VoiceMesh.Contracts.MediaStreams;

/// <summary>The shape of a Twilio stream sid: <c>MZ</c> and 32 hex digits.</summary>
public static partial class StreamSids
{
    public const string Description = "StreamSid must be MZ followed by 32 hex digits.";

    public static bool IsValid(string? streamSid) => streamSid is not null && Pattern().IsMatch(streamSid);

    [GeneratedRegex("^MZ[0-9a-fA-F]{32}$")]
    private static partial Regex Pattern();
}
