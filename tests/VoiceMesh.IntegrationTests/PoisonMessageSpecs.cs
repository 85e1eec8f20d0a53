using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A message that can never succeed is not an outage: it reaches its endpoint's <c>_error</c> queue after the
/// documented quick retries (four, within 3.6 s), carrying the exception that stopped it.
/// </summary>
public sealed class PoisonMessageSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string ErrorQueue = "place-call_error";
    private const string Probe = "error-probe";
    private Mesh _mesh = null!;
    private string _vhost = "";
    private HttpClient _management = null!;

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        _vhost = new Uri(uri).AbsolutePath.Trim('/');
        _mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString);
        _management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);

        // place-call_error inherits the endpoint's single active consumer, which forbids basic.get: a probe queue bound
        // to the same exchange receives a copy of every message moved there, headers and all.
        (await _management.PutAsJsonAsync($"api/exchanges/{_vhost}/{ErrorQueue}", new { type = "fanout", durable = true }))
            .EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"api/queues/{_vhost}/{Probe}", new { durable = false, auto_delete = false }))
            .EnsureSuccessStatusCode();
        (await _management.PostAsJsonAsync($"api/bindings/{_vhost}/e/{ErrorQueue}/q/{Probe}", new { routing_key = "" }))
            .EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await _mesh.DisposeAsync();
    }

    [Fact]
    public async Task A_place_call_the_database_can_never_store_reaches_place_call_error_after_four_retries_within_seconds()
    {
        var ct = TestContext.Current.CancellationToken;
        var sent = Stopwatch.StartNew();

        // PostgreSQL's jsonb cannot hold U+0000, so this PlaceCall can never be stored, however often it is tried.
        var requestId = await _mesh.Place(new { to = "+14155558001", twiml = "<Response/>", metadata = new { note = "a\u0000b" } });

        JsonElement? dead = null;
        var last = "";
        while (dead is null && sent.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var response = await _management.PostAsJsonAsync(
                $"api/queues/{_vhost}/{Probe}/get", new { count = 1, ackmode = "ack_requeue_true", encoding = "auto" }, ct);
            last = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode && JsonSerializer.Deserialize<JsonElement>(last) is { ValueKind: JsonValueKind.Array } got
                && got.GetArrayLength() == 1)
            {
                dead = got[0];
            }
            else
            {
                await Task.Delay(100, ct);
            }
        }

        var elapsed = sent.Elapsed;
        Assert.True(dead is not null, $"the poison PlaceCall never reached place-call_error; the queue answered: {last}");
        var headers = dead.Value.GetProperty("properties").GetProperty("headers");
        Assert.Contains(requestId, dead.Value.GetProperty("payload").GetString(), StringComparison.Ordinal);
        Assert.Equal("Npgsql.PostgresException", headers.GetProperty("MT-Fault-ExceptionType").GetString());
        Assert.Contains("22P05", headers.GetProperty("MT-Fault-Message").GetString(), StringComparison.Ordinal);

        // One failed append of the placement per attempt: the first and four retries.
        Assert.Equal(5, _mesh.Calls[0].OutputLines.Count(line =>
            line.Contains("mt_quick_append_events", StringComparison.Ordinal) && line.Contains("placement:" + requestId, StringComparison.Ordinal)));
        Assert.InRange(elapsed, TimeSpan.FromSeconds(3.6), TimeSpan.FromSeconds(20));
        Assert.Equal(0, _mesh.CreatesTo("+14155558001"));

    }
}
