using System.Globalization;

namespace VoiceMesh.TwilioSimulator.Rest;

/// <summary>Twilio's list envelope: the resource array under its key plus the paging fields.</summary>
internal static class Paging
{
    /// <summary>The page the request asks for: <c>PageSize</c> (1-1000, default 50) and <c>Page</c> (from 0).</summary>
    public static (int PageSize, int Page) Requested(HttpRequest request)
    {
        var pageSize = int.TryParse(request.Query["PageSize"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size)
            ? Math.Clamp(size, 1, 1000)
            : 50;
        var page = int.TryParse(request.Query["Page"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? Math.Max(0, p) : 0;
        return (pageSize, page);
    }

    public static Dictionary<string, object?> Page<T>(
        HttpRequest request, string listPath, string key, IReadOnlyList<T> all, IEnumerable<KeyValuePair<string, string>> filters)
    {
        var (pageSize, page) = Requested(request);
        var start = page * pageSize;
        var items = all.Skip(start).Take(pageSize).ToList();
        var filterQuery = string.Concat(filters.Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}&"));
        string PageUri(int number) => $"{listPath}?{filterQuery}PageSize={pageSize}&Page={number}";
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["first_page_uri"] = PageUri(0),
            ["end"] = start + Math.Max(items.Count, 1) - 1,
            ["previous_page_uri"] = page > 0 ? PageUri(page - 1) : null,
            ["uri"] = PageUri(page),
            ["page_size"] = pageSize,
            ["start"] = start,
            ["next_page_uri"] = start + items.Count < all.Count ? PageUri(page + 1) : null,
            ["page"] = page,
            [key] = items,
        };
    }
}
