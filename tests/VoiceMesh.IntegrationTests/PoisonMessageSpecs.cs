using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A message that can never succeed is not an outage: it reaches its endpoint's <c>_error</c> queue carrying the
/// exception that stopped it. One that cannot even be read is not retried at all. (Text the database cannot store,
/// such as U+0000, is refused by validation before anything is accepted.)
/// </summary>
public sealed class PoisonMessageSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;
    private string _vhost = "";
    private HttpClient _management = null!;
    private QueueProbe _deadLetters = null!;

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        _vhost = new Uri(uri).AbsolutePath.Trim('/');
        _mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString, otherServices: Mesh.CallsAlone);
        _management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);

        // place-call_error inherits the endpoint's single active consumer, which forbids basic.get: a probe bound to
        // the same exchange receives a copy of every message moved there.
        _deadLetters = await QueueProbe.Bind(_management, _vhost, "place-call_error", "error-probe", declareExchange: true);
    }

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await _mesh.DisposeAsync();
    }

    [Fact]
    public async Task An_unreadable_place_call_reaches_place_call_error_at_once_with_its_exception_and_places_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var messageId = Guid.NewGuid();
        Assert.DoesNotContain(_mesh.Calls[0].OutputLines, line => line.Contains("R-RETRY", StringComparison.Ordinal));
        var requestId = "poison-" + Guid.NewGuid().ToString("N");

        // Metadata is a map of strings; a number where it should be makes this PlaceCall unreadable, however often it is tried.
        var envelope = new
        {
            messageId,
            messageType = new[] { "urn:message:VoiceMesh.Contracts.Calls:PlaceCall" },
            message = new { requestId, to = "+14155558001", twiml = "<Response/>", metadata = 42, occurredAt = DateTimeOffset.UtcNow },
        };
        var sent = Stopwatch.StartNew();
        using (var published = await _management.PostAsJsonAsync(
            $"api/exchanges/{_vhost}/{Uri.EscapeDataString("VoiceMesh.Contracts.Calls:PlaceCall")}/publish",
            new
            {
                properties = new { content_type = "application/vnd.masstransit+json", delivery_mode = 2, message_id = messageId.ToString() },
                routing_key = "",
                payload = JsonSerializer.Serialize(envelope),
                payload_encoding = "string",
            },
            ct))
        {
            published.EnsureSuccessStatusCode();
        }

        IReadOnlyList<JsonElement> dead = [];
        while (dead.Count == 0 && sent.Elapsed < TimeSpan.FromSeconds(60))
        {
            dead = await _deadLetters.Get(1, remove: false, ct);
            if (dead.Count == 0)
            {
                await Task.Delay(100, ct);
            }
        }

        var elapsed = sent.Elapsed;
        var message = Assert.Single(dead);
        var headers = message.GetProperty("properties").GetProperty("headers");
        Assert.Contains(requestId, message.GetProperty("payload").GetString(), StringComparison.Ordinal);
        Assert.Equal("System.Text.Json.JsonException", headers.GetProperty("MT-Fault-ExceptionType").GetString());

        // Unreadable is final: no retry, straight to _error (a readable message that fails is retried four times first,
        // shown on MassTransit's harness by RetryPolicySpecs in VoiceMesh.ServiceDefaults.Tests).
        Assert.Contains(_mesh.Calls[0].OutputLines, line =>
            line.Contains("R-FAULT", StringComparison.Ordinal) && line.Contains(messageId.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(_mesh.Calls[0].OutputLines, line => line.Contains("R-RETRY", StringComparison.Ordinal));
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"reached place-call_error after {elapsed}");
        Assert.Equal(0, _mesh.CreatesTo("+14155558001"));
        Assert.Null(await _mesh.GetPlacement(requestId, ct));
    }
}
