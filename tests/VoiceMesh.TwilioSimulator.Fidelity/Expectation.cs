using System.Globalization;

namespace VoiceMesh.TwilioSimulator.Fidelity;

/// <summary>What Twilio documents for a case: the HTTP status, the error code of a failure, the status of a created call.</summary>
internal sealed record Expectation(int HttpStatus, int? ErrorCode, string? CallStatus)
{
    public static Expectation Created(string? callStatus = null) => new(201, null, callStatus);

    public static Expectation Error(int httpStatus, int errorCode) => new(httpStatus, errorCode, null);

    /// <summary>How <paramref name="actual"/> differs from this expectation; empty when it matches.</summary>
    public IReadOnlyList<string> Mismatches(Observation actual)
    {
        if (actual.HttpStatus is null)
        {
            return actual.Problems;
        }

        var mismatches = new List<string>();
        if (actual.HttpStatus != HttpStatus)
        {
            mismatches.Add($"HTTP status {Show(actual.HttpStatus)}, expected {HttpStatus}");
        }

        if (actual.ErrorCode != ErrorCode)
        {
            mismatches.Add($"error code {Show(actual.ErrorCode)}, expected {Show(ErrorCode)}");
        }

        if (CallStatus is not null && !string.Equals(actual.CallStatus, CallStatus, StringComparison.Ordinal))
        {
            mismatches.Add($"call status {actual.CallStatus ?? "none"}, expected {CallStatus}");
        }

        mismatches.AddRange(actual.Problems);
        return mismatches;
    }

    public override string ToString() => Observation.Describe(HttpStatus, ErrorCode, CallStatus);

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "none";
}
