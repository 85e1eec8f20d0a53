using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// The query parameters the list endpoints share (<c>GET /api/calls</c>, <c>/api/conferences</c>, <c>/api/recordings</c>):
/// <c>status</c>, one wire value of the listed thing's status, and <c>limit</c>, a bounded count; each refused with a
/// 400 that names it and says what it may be.
/// </summary>
public static class ListParameters
{
    /// <summary>The status <paramref name="status"/> names (null when none is given), or the problem naming <c>status</c> with every allowed value.</summary>
    public static bool TryStatus<T>(string? status, Func<T, string> toWire, out T? value, [NotNullWhen(false)] out ValidationProblem? problem)
        where T : struct, Enum
    {
        value = null;
        problem = null;
        if (status is null)
        {
            return true;
        }

        if (WireValues.TryParse(status, toWire, out var parsed))
        {
            value = parsed;
            return true;
        }

        problem = Problem("status", "status is one of " + string.Join(", ", Enum.GetValues<T>().Select(toWire)) + ".");
        return false;
    }

    /// <summary>How many to list: <paramref name="limit"/>, else <paramref name="defaultLimit"/>; outside 1 to <paramref name="max"/>, the problem naming <c>limit</c>.</summary>
    public static bool TryLimit(int? limit, int defaultLimit, int max, out int value, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        value = limit ?? defaultLimit;
        problem = value is < 1 || value > max ? Problem("limit", $"limit is between 1 and {max}.") : null;
        return problem is null;
    }

    private static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
