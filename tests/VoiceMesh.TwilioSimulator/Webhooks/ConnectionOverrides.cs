using System.Collections.Frozen;
using System.Globalization;

namespace VoiceMesh.TwilioSimulator.Webhooks;

/// <summary>
/// Twilio's connection overrides in a webhook URL's fragment (REFERENCE §6.6): <c>rc</c> retry count, <c>rt</c>
/// read timeout (ms), <c>rp</c> retry policy (<c>4xx</c>, <c>5xx</c>, <c>ct</c>, <c>rt</c>, <c>all</c>; default
/// <c>5xx,ct,rt</c>). The fragment is never sent and not signed.
/// </summary>
internal sealed record ConnectionOverrides(string SignedUrl, int? RetryCount, TimeSpan? ReadTimeout, IReadOnlySet<string> RetryPolicy)
{
    private static readonly FrozenSet<string> DefaultPolicy = FrozenSet.Create(StringComparer.Ordinal, "5xx", "ct", "rt");

    public static ConnectionOverrides Parse(string url)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return new ConnectionOverrides(url, null, null, DefaultPolicy);
        }

        int? retries = null;
        TimeSpan? readTimeout = null;
        IReadOnlySet<string> policy = DefaultPolicy;
        foreach (var pair in url[(hash + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2)
            {
                continue;
            }

            var isNumber = int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value);
            switch (parts[0])
            {
                case "rc" when isNumber:
                    retries = Math.Clamp(value, 0, 5);
                    break;
                case "rt" when isNumber:
                    readTimeout = TimeSpan.FromMilliseconds(Math.Clamp(value, 100, 15000));
                    break;
                case "rp":
                    policy = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        .ToHashSet(StringComparer.Ordinal);
                    break;
            }
        }

        return new ConnectionOverrides(url[..hash], retries, readTimeout, policy);
    }

    /// <summary>Whether an attempt that got <paramref name="status"/> (or failed with <paramref name="error"/>) is retried.</summary>
    public bool ShouldRetry(int? status, string? error)
    {
        var cause = status switch
        {
            >= 500 => "5xx",
            >= 400 => "4xx",
            not null => null,
            null when error == "timeout" => "rt",
            null => "ct",
        };
        return cause is not null && (RetryPolicy.Contains(cause) || RetryPolicy.Contains("all"));
    }
}
