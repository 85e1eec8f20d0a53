using System.Text.RegularExpressions;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Control;

/// <summary>Checks HangUpCall and RedirectCall; the first violation names its field.</summary>
public static partial class CallCommandValidator
{
    public static (string Field, string Reason)? Validate(HangUpCall command) =>
        IsCallSid(command.CallSid) ? null : ("CallSid", "CallSid must be CA followed by 32 hex digits.");

    public static (string Field, string Reason)? Validate(RedirectCall command)
    {
        if (!IsCallSid(command.CallSid))
        {
            return ("CallSid", "CallSid must be CA followed by 32 hex digits.");
        }

        var hasUrl = command.Url is not null;
        if (hasUrl == (command.Twiml is not null)
            || (hasUrl && !(Uri.TryCreate(command.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")))
        {
            return ("Url", "Exactly one of an absolute http(s) Url or Twiml is required.");
        }

        return null;
    }

    public static bool IsCallSid(string? callSid) => callSid is not null && CallSidPattern().IsMatch(callSid);

    [GeneratedRegex("^CA[0-9a-f]{32}$")]
    private static partial Regex CallSidPattern();
}
