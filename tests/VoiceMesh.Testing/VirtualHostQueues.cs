using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace VoiceMesh.Testing;

/// <summary>
/// The queues of one RabbitMQ virtual host as its management API shows them: their depths, the messages under
/// delivery, and the faults MassTransit recorded on the messages of an <c>_error</c> queue.
/// </summary>
public sealed class VirtualHostQueues(Uri managementUri, string vhostUri) : IDisposable
{
    /// <summary>How often RabbitMQ's management API refreshes queue statistics (5 s), plus a margin.</summary>
    public static readonly TimeSpan StatisticsInterval = TimeSpan.FromSeconds(6);

    private readonly HttpClient _http = TestInfrastructure.ManagementClient(managementUri);
    private readonly string _vhost = Uri.EscapeDataString(new Uri(vhostUri).AbsolutePath.Trim('/'));

    /// <summary>Every queue and its message count, waiting up to 30 s for RabbitMQ to have statistics for all (null where it still has none).</summary>
    public async Task<Dictionary<string, long?>> Depths(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var queues = (await List(ct)).ToDictionary(q => q.Name, q => q.Messages);
            if (queues.Values.All(depth => depth is not null) || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return queues;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>Messages delivered to a consumer of <paramref name="queue"/> and not yet acknowledged (0 when it is unknown).</summary>
    public async Task<long> Unacknowledged(string queue, CancellationToken ct)
    {
        var found = (await List(ct)).FirstOrDefault(q => q.Name == queue);
        return found.Unacknowledged ?? 0;
    }

    /// <summary>
    /// The faults MassTransit recorded on the messages of <paramref name="queue"/> (peeked, left in place), with how many
    /// carry each; or why they could not be read (a queue with a single active consumer forbids peeking).
    /// </summary>
    public async Task<string> Faults(string queue, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync(
            $"api/queues/{_vhost}/{Uri.EscapeDataString(queue)}/get",
            new { count = 1000, ackmode = "ack_requeue_true", encoding = "auto", truncate = 1000 },
            ct);
        if (!response.IsSuccessStatusCode)
        {
            return $"unreadable through the management API ({(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)})";
        }

        var messages = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return string.Join(", ", messages.EnumerateArray()
            .Select(m => m.GetProperty("properties").TryGetProperty("headers", out var headers) ? headers : default)
            .Select(h => h.ValueKind == JsonValueKind.Object
                && h.TryGetProperty("MT-Fault-ExceptionType", out var type)
                && h.TryGetProperty("MT-Fault-Message", out var message)
                    ? $"{type.GetString()}: {message.GetString()?.Split('\n')[0]}"
                    : "no fault headers")
            .CountBy(fault => fault)
            .OrderByDescending(c => c.Value)
            .Select(c => $"{c.Value} x {c.Key}"));
    }

    public static string Describe(IReadOnlyDictionary<string, long?> queues) =>
        string.Join(", ", queues.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{q.Key}={q.Value?.ToString() ?? "?"}"));

    public void Dispose() => _http.Dispose();

    private async Task<List<(string Name, long? Messages, long? Unacknowledged)>> List(CancellationToken ct) =>
        [.. (await _http.GetFromJsonAsync<JsonElement>($"api/queues/{_vhost}", ct)).EnumerateArray().Select(q => (
            q.GetProperty("name").GetString()!,
            Count(q, "messages"),
            Count(q, "messages_unacknowledged")))];

    private static long? Count(JsonElement queue, string property) =>
        queue.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}
