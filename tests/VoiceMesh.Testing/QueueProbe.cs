using System.Net.Http.Json;
using System.Text.Json;

namespace VoiceMesh.Testing;

/// <summary>
/// A classic queue a test binds to an exchange through RabbitMQ's management API, to see what was published there
/// (headers and all) without taking messages from the service's own queues.
/// </summary>
public sealed class QueueProbe
{
    private readonly HttpClient _management;
    private readonly string _vhost;
    private readonly string _queue;

    private QueueProbe(HttpClient management, string vhost, string queue)
    {
        _management = management;
        _vhost = vhost;
        _queue = queue;
    }

    /// <summary>
    /// Declares <paramref name="queue"/> and binds it to <paramref name="exchange"/>, declaring that as a durable
    /// fanout first when MassTransit has not yet (an <c>_error</c> exchange appears with the first fault).
    /// </summary>
    public static async Task<QueueProbe> Bind(HttpClient management, string vhost, string exchange, string queue, bool declareExchange = false)
    {
        var e = Uri.EscapeDataString(exchange);
        if (declareExchange)
        {
            (await management.PutAsJsonAsync($"api/exchanges/{vhost}/{e}", new { type = "fanout", durable = true })).EnsureSuccessStatusCode();
        }

        (await management.PutAsJsonAsync($"api/queues/{vhost}/{queue}", new { durable = false, auto_delete = false })).EnsureSuccessStatusCode();
        (await management.PostAsJsonAsync($"api/bindings/{vhost}/e/{e}/q/{queue}", new { routing_key = "" })).EnsureSuccessStatusCode();
        return new QueueProbe(management, vhost, queue);
    }

    /// <summary>Up to <paramref name="count"/> messages (payload, properties, headers), taken off or left in the probe.</summary>
    public async Task<IReadOnlyList<JsonElement>> Get(int count, bool remove, CancellationToken cancellationToken)
    {
        using var response = await _management.PostAsJsonAsync(
            $"api/queues/{_vhost}/{_queue}/get",
            new { count, ackmode = remove ? "ack_requeue_false" : "ack_requeue_true", encoding = "auto" },
            cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? [.. JsonSerializer.Deserialize<JsonElement>(body).EnumerateArray()]
            : throw new InvalidOperationException($"Reading probe {_queue} answered {response.StatusCode}: {body}");
    }
}
