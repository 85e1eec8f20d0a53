using System.Diagnostics;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A message that can never succeed is not an outage: it reaches its endpoint's <c>_error</c> queue after the
/// documented quick retries (four, within 3.6 s), carrying the exception that stopped it.
/// </summary>
public sealed class PoisonMessageSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;
    private HttpClient _management = null!;
    private QueueProbe _deadLetters = null!;

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        _mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString);
        _management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);

        // place-call_error inherits the endpoint's single active consumer, which forbids basic.get: a probe bound to
        // the same exchange receives a copy of every message moved there.
        _deadLetters = await QueueProbe.Bind(_management, new Uri(uri).AbsolutePath.Trim('/'), "place-call_error", "error-probe", declareExchange: true);
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
        Assert.Equal("Npgsql.PostgresException", headers.GetProperty("MT-Fault-ExceptionType").GetString());
        Assert.Contains("22P05", headers.GetProperty("MT-Fault-Message").GetString(), StringComparison.Ordinal);

        // One failed append of the placement per attempt: the first and four retries.
        Assert.Equal(5, _mesh.Calls[0].OutputLines.Count(line =>
            line.Contains("mt_quick_append_events", StringComparison.Ordinal) && line.Contains("placement:" + requestId, StringComparison.Ordinal)));
        Assert.InRange(elapsed, TimeSpan.FromSeconds(3.6), TimeSpan.FromSeconds(20));
        Assert.Equal(0, _mesh.CreatesTo("+14155558001"));
    }
}
