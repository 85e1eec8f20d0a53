using System.Text.RegularExpressions;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Calls;

/// <summary>
/// Number checks on Calls create, including Twilio's magic test numbers (Twilio's "Test Credentials" page; codes
/// as in REFERENCE §6.4). The table is repeated in README.md.
/// </summary>
internal static partial class PhoneNumbers
{
    public static TwilioError? ValidateTo(string? to)
    {
        if (string.IsNullOrEmpty(to))
        {
            return TwilioError.Of(21201, 400, "No 'To' number is specified");
        }

        return to switch
        {
            "+15005550001" => TwilioError.Of(21217, 400, $"Phone number {to} does not appear to be valid"),
            "+15005550002" => TwilioError.Of(21214, 400, $"'To' phone number {to} cannot be reached"),
            "+15005550003" => TwilioError.Of(21215, 400,
                $"Account not authorized to call {to}. Perhaps you need to enable some international permissions"),
            "+15005550004" => TwilioError.Of(21216, 400, $"Call blocked: {to} is on the account's block list"),
            _ when to.StartsWith("client:", StringComparison.Ordinal) || to.StartsWith("sip:", StringComparison.Ordinal) => null,
            _ when !E164().IsMatch(to) => TwilioError.Of(21211, 400, $"The 'To' number {to} is not a valid phone number."),
            _ => null,
        };
    }

    public static TwilioError? ValidateFrom(string? from)
    {
        if (string.IsNullOrEmpty(from))
        {
            return TwilioError.Of(21213, 400, "No 'From' number is specified");
        }

        return from switch
        {
            "+15005550001" => TwilioError.Of(21212, 400, $"The 'From' number {from} is not a valid phone number"),
            "+15005550007" => TwilioError.Of(21210, 400,
                $"The source phone number provided, {from}, is not yet verified for your account"),
            _ when from.StartsWith("client:", StringComparison.Ordinal) => null,
            _ when !E164().IsMatch(from) => TwilioError.Of(21212, 400, $"The 'From' number {from} is not a valid phone number"),
            _ => null,
        };
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}
