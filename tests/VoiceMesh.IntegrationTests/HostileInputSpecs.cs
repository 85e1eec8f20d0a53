using System.Net;
using System.Net.Sockets;
using System.Text;
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

    [Theory]
    [InlineData("chunk size", "zz\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("chunk suffix", "3\r\nabcXY0\r\n\r\n", 400)]
    [InlineData("chunk size overflowing", "ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n", 400)]
    public async Task A_badly_framed_unsigned_body_gets_a_4xx_and_no_stack_trace(string what, string chunked, int status)
    {
        var head = "POST /twilio/voice/status HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

        var answered = await Raw(head, async stream => await stream.WriteAsync(Encoding.ASCII.GetBytes(chunked)));

        Assert.True(answered == status, $"{what}: answered {answered}");
        AssertNoStackTrace();
    }

    [Fact]
    public async Task An_unsigned_form_over_the_field_limits_gets_400_and_no_stack_trace()
    {
        var ct = TestContext.Current.CancellationToken;
        var manyFields = string.Join("&", Enumerable.Range(0, 1100).Select(i => $"f{i}=1"));
        var longKey = new string('k', 2100) + "=1";
        foreach (var body in new[] { manyFields, longKey })
        {
            using var content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded");
            using var response = await _mesh.Client.PostAsync("/twilio/voice/status", content, ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        AssertNoStackTrace();
    }

    [Fact]
    public async Task A_body_trickled_slower_than_the_minimum_rate_gets_408()
    {
        var head = "POST /twilio/voice/status HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: 2000\r\n\r\n";

        var answered = await Raw(head, async stream =>
        {
            for (var i = 0; i < 12; i++)
            {
                await stream.WriteAsync("a"u8.ToArray());
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        });

        Assert.Equal(408, answered);
        AssertNoStackTrace();
    }

    [Fact]
    public async Task Hanging_up_or_redirecting_a_call_nobody_knows_answers_404_and_publishes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var hangUps = await Probe("VoiceMesh.Contracts.Calls:HangUpCall", declareExchange: true);
        var callSid = Mesh.NewCallSid();

        using var hangUp = await _mesh.Client.PostAsync($"/api/calls/{callSid}/hangup", null, ct);
        using var redirect = await _mesh.Client.PostAsJsonAsync($"/api/calls/{callSid}/redirect", new { twiml = "<Response/>" }, ct);

        Assert.Equal(HttpStatusCode.NotFound, hangUp.StatusCode);
        Assert.Equal("application/problem+json", hangUp.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, redirect.StatusCode);
        Assert.Empty(await hangUps.Get(10, remove: true, ct));
    }

    /// <summary>Sends a request by hand (head, then a body that may be malformed or slow) and returns the status answered.</summary>
    private async Task<int> Raw(string head, Func<NetworkStream, Task> sendBody)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_mesh.Gateway.BaseAddress.Host, _mesh.Gateway.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var reading = ReadStatus(stream);
        try
        {
            await sendBody(stream);
        }
        catch (IOException)
        {
            // The gateway may answer and close before the whole body is sent.
        }

        return await reading.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<int> ReadStatus(NetworkStream stream)
    {
        var buffer = new byte[64];
        var read = 0;
        while (read < 12)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                return 0;
            }

            read += n;
        }

        return int.Parse(Encoding.ASCII.GetString(buffer, 9, 3), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void AssertNoStackTrace()
    {
        var traces = _mesh.Gateway.OutputLines.Where(line => line.Contains("   at ", StringComparison.Ordinal) || line.Contains("\\n   at ", StringComparison.Ordinal)).ToList();
        Assert.True(traces.Count == 0, "the gateway logged a stack trace: " + string.Join(" | ", traces.Take(2)));
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
