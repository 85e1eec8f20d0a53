using System.Globalization;

namespace VoiceMesh.TwilioSimulator.Fidelity;

/// <summary>
/// What one target answered to a case. <see cref="ErrorCode"/> is set when the SDK threw <c>ApiException</c>;
/// <see cref="Problems"/> lists response fields the project reads that were missing or malformed.
/// </summary>
internal sealed record Observation(int? HttpStatus, int? ErrorCode, string? CallStatus, IReadOnlyList<string> Problems)
{
    public static string Describe(int? httpStatus, int? errorCode, string? callStatus)
    {
        var parts = new List<string> { httpStatus?.ToString(CultureInfo.InvariantCulture) ?? "no response" };
        if (errorCode is { } code)
        {
            parts.Add(code.ToString(CultureInfo.InvariantCulture));
        }

        if (callStatus is not null)
        {
            parts.Add(callStatus);
        }

        return string.Join(' ', parts);
    }

    public override string ToString() => Describe(HttpStatus, ErrorCode, CallStatus);
}
