using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Control;

/// <summary>Checks HangUpCall and RedirectCall; the first violation names its field.</summary>
public static class CallCommandValidator
{
    public static (string Field, string Reason)? Validate(HangUpCall command) =>
        CallSids.IsValid(command.CallSid) ? null : ("CallSid", CallSids.Description);

    public static (string Field, string Reason)? Validate(RedirectCall command)
    {
        if (!CallSids.IsValid(command.CallSid))
        {
            return ("CallSid", CallSids.Description);
        }

        var hasUrl = command.Url is not null;
        if (hasUrl == (command.Twiml is not null)
            || (hasUrl && !(Uri.TryCreate(command.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")))
        {
            return ("Url", "Exactly one of an absolute http(s) Url or Twiml is required.");
        }

        return null;
    }


}
