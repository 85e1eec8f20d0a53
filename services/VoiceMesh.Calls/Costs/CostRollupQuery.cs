using System.Globalization;

namespace VoiceMesh.Calls.Costs;

/// <summary>What the call costs roll up under: <c>tenant</c>, <c>campaign</c>, <c>pool</c> (caller-id pool), <c>flow</c> or <c>day</c> (UTC date).</summary>
public enum CostGrouping
{
    Tenant,
    Campaign,
    Pool,
    Flow,
    Day,
}

/// <summary>A field of the query string that is missing or malformed, and why.</summary>
public sealed record CostQueryViolation(string Field, string Reason);

/// <summary>
/// <c>GET /api/calls/costs?groupBy=&amp;from=&amp;to=</c> read and checked: <see cref="From"/> (inclusive) and <see cref="To"/>
/// (exclusive) bound the calls' placed time in UTC; either may be left out.
/// </summary>
public sealed record CostRollupQuery(CostGrouping GroupBy, DateTimeOffset? From, DateTimeOffset? To)
{
    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>The wire names of <see cref="CostGrouping"/>.</summary>
    public static IReadOnlyDictionary<string, CostGrouping> Groupings { get; } = new Dictionary<string, CostGrouping>(StringComparer.Ordinal)
    {
        ["tenant"] = CostGrouping.Tenant,
        ["campaign"] = CostGrouping.Campaign,
        ["pool"] = CostGrouping.Pool,
        ["flow"] = CostGrouping.Flow,
        ["day"] = CostGrouping.Day,
    };

    /// <summary>Reads the query string; the first violation names its field (<c>groupBy</c>, <c>from</c>, <c>to</c>).</summary>
    public static (CostRollupQuery? Query, CostQueryViolation? Violation) Parse(string? groupBy, string? from, string? to)
    {
        if (groupBy is null || !Groupings.TryGetValue(groupBy, out var grouping))
        {
            return (null, new CostQueryViolation("groupBy", $"groupBy must be one of {string.Join(", ", Groupings.Keys)}."));
        }

        if (!TryParseTime(from, out var fromTime))
        {
            return (null, new CostQueryViolation("from", "from must be an ISO 8601 date or date and time, e.g. 2026-12-01 or 2026-12-01T00:00:00Z."));
        }

        if (!TryParseTime(to, out var toTime))
        {
            return (null, new CostQueryViolation("to", "to must be an ISO 8601 date or date and time, e.g. 2026-12-02 or 2026-12-02T00:00:00Z."));
        }

        if (fromTime > toTime)
        {
            return (null, new CostQueryViolation("from", "from must not be later than to."));
        }

        return (new CostRollupQuery(grouping, fromTime, toTime), null);
    }

    /// <summary>A missing value is no bound; a time without an offset is UTC.</summary>
    private static bool TryParseTime(string? value, out DateTimeOffset? time)
    {
        time = null;
        if (value is null)
        {
            return true;
        }

        if (!DateTimeOffset.TryParseExact(
            value, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        time = parsed;
        return true;
    }
}
