using System.ComponentModel.DataAnnotations;

namespace VoiceMesh.ServiceDefaults;

/// <summary>The consumer retry policy every receive endpoint shares (see <see cref="MessagingExtensions"/>).</summary>
public sealed class MessagingOptions : IConfigurationOptions
{
    public static string Section => "Messaging";

    /// <summary>
    /// How long a message is held through an outage of a dependency before it goes to <c>_error</c>. Kept under
    /// RabbitMQ's delivery acknowledgement timeout (30 minutes by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:25:00")]
    public TimeSpan OutageHold { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How often a held message is tried again during an outage, after a first 0.25, 0.5, 1 and 2 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan OutageRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The delays before each retry of a conflict or an unknown failure; after the last, the message goes to
    /// <c>_error</c>. Default: four retries within 3.6 s.
    /// </summary>
    public IList<TimeSpan> QuickRetries { get; } = [];

    internal IReadOnlyList<TimeSpan> QuickRetryDelays => QuickRetries.Count > 0 ? [.. QuickRetries] : DefaultQuickRetries;

    internal static readonly TimeSpan[] DefaultQuickRetries =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>
    /// The delays before each retry of a held message: quick ones first, since most holds are short (another
    /// delivery finishing, a database failing over), then every <see cref="OutageRetryInterval"/> until the delays
    /// add up to <see cref="OutageHold"/>.
    /// </summary>
    internal IReadOnlyList<TimeSpan> OutageRetryDelays
    {
        get
        {
            TimeSpan[] first = [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
            var delays = new List<TimeSpan>();
            var total = TimeSpan.Zero;
            for (var i = 0; total < OutageHold; i++)
            {
                var delay = i < first.Length ? TimeSpan.FromTicks(Math.Min(first[i].Ticks, OutageRetryInterval.Ticks)) : OutageRetryInterval;
                delays.Add(delay);
                total += delay;
            }

            return delays;
        }
    }
}
