using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Hostile input as issue 15 found it: what the gateway or the API acknowledges is applied, so anything PostgreSQL
/// could not store is refused with a 4xx before it is published, and a message that reaches a service from the bus
/// anyway fails with the database's own error, not a library's.
/// </summary>
public sealed class HostileInputSpecs(TestInfrastructure infrastructure, MeshFixture fixture) : IClassFixture<MeshFixture>, IDisposable
{
    private const string Exchange = "VoiceMesh.Contracts.Calls:CallStatusCallbackReceived";
    private readonly Mesh _mesh = fixture.Mesh;
    private readonly HttpClient _management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
    private readonly string _vhost = new Uri(fixture.Mesh.RabbitMqUri).AbsolutePath.Trim('/');

    public void Dispose() => _management.Dispose();

    /// <summary>A probe of its own per spec, so the specs sharing the mesh do not see each other's messages.</summary>
    private Task<QueueProbe> Probe(string exchange, bool declareExchange = false) =>
        QueueProbe.Bind(_management, _vhost, exchange, "probe-" + Guid.NewGuid().ToString("N"), declareExchange);

    [Theory]
    [InlineData("To")]
    [InlineData("From")]
    [InlineData("Direction")]
    [InlineData("AnsweredBy")]
    [InlineData("CallbackSource")]
    public async Task A_status_webhook_with_a_nul_in_a_field_gets_400_naming_it_and_publishes_nothing(string field)
    {
        var ct = TestContext.Current.CancellationToken;
        var published = await Probe(Exchange);
        var form = Mesh.StatusCallback(Mesh.NewCallSid(), "completed", 4).Where(f => f.Key != field).ToList();
        form.Add(new(field, "x\0"));

        using var response = await _mesh.PostStatus(form, cancellationToken: ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Empty(await published.Get(10, remove: true, ct));
    }

    [Theory]
    [InlineData("to", @"+1415555010\u0000")]
    [InlineData("requestId", @"req\u0000")]
    [InlineData("twiml", @"<Response>\u0000</Response>")]
    [InlineData("tenant", @"acme\u0000")]
    [InlineData("tenant", @"acme\ud800")]
    [InlineData("to", @"+1415555\u0661\u0662\u0663")]
    [InlineData("to", @"+14155550100\n")]
    public async Task A_place_call_request_with_text_postgres_cannot_store_or_a_number_that_is_not_e164_gets_400(string field, string jsonValue)
    {
        // Written by hand, as a client would send it: the value is a JSON string's escaped content.
        var fields = new Dictionary<string, string> { ["to"] = "+14155550100", ["twiml"] = "<Response/>", [field] = jsonValue };
        var json = "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":\"{f.Value}\"")) + "}";
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await _mesh.Client.PostAsync("/api/calls", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_callback_from_the_bus_that_postgres_cannot_store_faults_with_the_database_error()
    {
        var ct = TestContext.Current.CancellationToken;
        var errors = await Probe("call-status-callback-received_error", declareExchange: true);
        var callSid = Mesh.NewCallSid();
        var envelope = new
        {
            messageId = Guid.NewGuid(),
            messageType = new[] { "urn:message:" + Exchange },
            message = new
            {
                callSid,
                accountSid = Mesh.AccountSid,
                callStatus = "completed",
                to = "+14155550100\0",
                parameters = new Dictionary<string, string>(),
                idempotencyKey = "hostile-" + callSid,
                receivedAt = DateTimeOffset.UtcNow,
            },
        };
        using var publish = await _management.PostAsJsonAsync(
            $"api/exchanges/{_vhost}/{Uri.EscapeDataString(Exchange)}/publish",
            new
            {
                properties = new { content_type = "application/vnd.masstransit+json", delivery_mode = 2 },
                routing_key = "",
                payload = JsonSerializer.Serialize(envelope),
                payload_encoding = "string",
            },
            ct);
        publish.EnsureSuccessStatusCode();

        var fault = await Eventually(async () => await errors.Get(1, remove: false, ct) is [var first, ..] ? first : default, TimeSpan.FromSeconds(60), ct);

        var headers = fault.GetProperty("properties").GetProperty("headers");
        var type = headers.GetProperty("MT-Fault-ExceptionType").GetString();
        var message = headers.GetProperty("MT-Fault-Message").GetString();
        Assert.DoesNotContain("TypeLoadException", type, StringComparison.Ordinal);
        Assert.Contains("22P05", message, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Eventually(Func<Task<JsonElement>> read, TimeSpan patience, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        while (true)
        {
            var value = await read();
            if (value.ValueKind != JsonValueKind.Undefined)
            {
                return value;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"nothing arrived within {patience}");
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }
}
