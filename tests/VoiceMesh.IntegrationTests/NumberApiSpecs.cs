using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// The NumberPool service's API refuses malformed input on every endpoint with a clear 4xx, and answers caller-id
/// requests on the bus (MassTransit request/response) as it does over HTTP.
/// </summary>
public sealed class NumberApiSpecs(NumberApiSpecs.ServiceFixture fixture) : IClassFixture<NumberApiSpecs.ServiceFixture>
{
    private static readonly int[] SanFrancisco = [415];
    private readonly NumberPoolService _service = fixture.Service;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One service process for the whole class: its cases only read, or write pools of their own.</summary>
    public sealed class ServiceFixture(TestInfrastructure infrastructure) : IAsyncLifetime
    {
        public NumberPoolService Service { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Service = await NumberPoolService.Start(infrastructure);

        public async ValueTask DisposeAsync() => await Service.DisposeAsync();
    }

    public static TheoryData<string, string, string?, string?, HttpStatusCode> Malformed => new()
    {
        { "PUT", "/api/numbers/pools/sales", "{\"maxConcurrentCalls\":2,\"definedBy\":\"x\"}", "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "PUT", "/api/numbers/pools/sales", "{not json", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/pools/sales", "{\"definedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/pools/sales", "{\"maxConcurrentCalls\":0,\"definedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/pools/sales", "{\"maxConcurrentCalls\":2,\"cooldownAfterCalls\":5,\"definedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/pools/sales", "{\"maxConcurrentCalls\":2}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/pools/Sales!", "{\"maxConcurrentCalls\":2,\"definedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/pools/sales", "{\"maxConcurrentCalls\":2,\"definedBy\":\"x\",\"pad\":\"" + new string('x', 9000) + "\"}", "application/json", HttpStatusCode.RequestEntityTooLarge },
        { "GET", "/api/numbers/pools/BAD%20NAME", null, null, HttpStatusCode.BadRequest },
        { "GET", "/api/numbers/pools/nobody", null, null, HttpStatusCode.NotFound },
        { "POST", "/api/numbers/acquire", "{\"pool\":\"sales\",\"destination\":\"+14155550100\"}", "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "POST", "/api/numbers/acquire", "[1,2]", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/acquire", "{\"destination\":\"+14155550100\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/acquire", "{\"pool\":\"sales\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/acquire", "{\"pool\":\"sales\",\"destination\":\"4155550100\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/acquire", "{\"pool\":\"sales\",\"destination\":\"+14155550100\",\"callSid\":\"nope\"}", "application/json", HttpStatusCode.BadRequest },
        { "DELETE", "/api/numbers/leases/not-a-guid", null, null, HttpStatusCode.BadRequest },
        { "DELETE", "/api/numbers/leases/0b3e3f7e-5a4e-4a38-9c2b-6d2f4b1e0c11", null, null, HttpStatusCode.NotFound },
        { "GET", "/api/numbers?state=sleeping", null, null, HttpStatusCode.BadRequest },
        { "GET", "/api/numbers?areaCode=41", null, null, HttpStatusCode.BadRequest },
        { "GET", "/api/numbers?pool=BAD%20NAME", null, null, HttpStatusCode.BadRequest },
        { "GET", "/api/numbers/12345", null, null, HttpStatusCode.BadRequest },
        { "GET", "/api/numbers/%2B14155550100", null, null, HttpStatusCode.NotFound },
        { "DELETE", "/api/numbers/12345", "{\"reason\":\"x\",\"requestedBy\":\"y\"}", "application/json", HttpStatusCode.BadRequest },
        { "DELETE", "/api/numbers/%2B14155550100", "{\"reason\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "DELETE", "/api/numbers/%2B14155550100", "{\"reason\":\"x\",\"requestedBy\":\"y\"}", "application/json", HttpStatusCode.NotFound },
        { "PUT", "/api/numbers/pools/sales", "{\"maxConcurrentCalls\":2,\"definedBy\":\"x\",\"reputation\":{\"answerRateRatio\":1.5}}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/pools/sales", "{\"maxConcurrentCalls\":2,\"definedBy\":\"x\",\"reputation\":{\"windowSeconds\":5}}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/12345/suspension", "{\"reason\":\"x\",\"requestedBy\":\"y\"}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/%2B14155550100/suspension", "{\"reason\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "PUT", "/api/numbers/%2B14155550100/suspension", "{\"reason\":\"x\",\"requestedBy\":\"y\"}", "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "PUT", "/api/numbers/%2B14155550100/suspension", "{\"reason\":\"x\",\"requestedBy\":\"y\"}", "application/json", HttpStatusCode.NotFound },
        { "DELETE", "/api/numbers/%2B14155550100/suspension", "{\"requestedBy\":\"y\"}", "application/json", HttpStatusCode.BadRequest },
        { "DELETE", "/api/numbers/%2B14155550100/suspension", "{\"reason\":\"x\",\"requestedBy\":\"y\"}", "application/json", HttpStatusCode.NotFound },
        { "POST", "/api/numbers/provisioning", "{\"pool\":\"sales\"}", "text/plain", HttpStatusCode.UnsupportedMediaType },
        { "POST", "/api/numbers/provisioning", "{\"pool\":\"sales\",\"country\":\"US\",\"count\":0,\"requestedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/provisioning", "{\"pool\":\"sales\",\"country\":\"usa\",\"count\":1,\"requestedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/provisioning", "{\"pool\":\"sales\",\"country\":\"US\",\"count\":1,\"areaCodes\":[41],\"requestedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/provisioning", "{\"pool\":\"sales\",\"country\":\"US\",\"count\":1,\"capabilities\":[\"fax\"],\"requestedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/provisioning", "{\"pool\":\"sales\",\"country\":\"US\",\"count\":1}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/provisioning", "{\"pool\":\"sales\",\"country\":\"US\",\"count\":\"many\",\"requestedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/imports", "{\"pool\":\"sales\",\"phoneNumbers\":[],\"requestedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "POST", "/api/numbers/imports", "{\"pool\":\"sales\",\"phoneNumbers\":[\"555-0100\"],\"requestedBy\":\"x\"}", "application/json", HttpStatusCode.BadRequest },
        { "GET", "/api/numbers/provisioning/" + new string('x', 101), null, null, HttpStatusCode.BadRequest },
        { "GET", "/api/numbers/provisioning/unknown-request", null, null, HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_input_gets_a_clear_client_error(string method, string path, string? body, string? contentType, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType!);
        }

        using var response = await _service.Client.SendAsync(request, Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Caller_ids_are_acquired_and_released_over_the_bus()
    {
        await _service.DefinePool("bus", new { maxConcurrentCalls = 1, definedBy = "spec" });
        await _service.Provision(new { pool = "bus", country = "US", areaCodes = SanFrancisco, count = 1, requestedBy = "spec" }, TimeSpan.FromSeconds(60));
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(_service.RabbitMqUri)));
        await bus.StartAsync(Ct);
        try
        {
            var client = bus.CreateRequestClient<AcquireCallerId>();
            var first = await client.GetResponse<CallerIdAcquired, CallerIdUnavailable>(Request("bus", "+14155550142"), Ct);
            var busy = await client.GetResponse<CallerIdAcquired, CallerIdUnavailable>(Request("bus", "+14155550142"), Ct);
            var unknown = await client.GetResponse<CallerIdAcquired, CallerIdUnavailable>(Request("nobody", "+14155550142"), Ct);
            var invalid = await client.GetResponse<CallerIdAcquired, CallerIdUnavailable>(Request("bus", "+1"), Ct);

            Assert.True(first.Is(out Response<CallerIdAcquired>? acquired));
            Assert.Equal("area-code", acquired!.Message.Match);
            Assert.StartsWith("+1415", acquired.Message.CallerId, StringComparison.Ordinal);
            Assert.True(busy.Is(out Response<CallerIdUnavailable>? exhausted));
            Assert.Equal(CallerIdUnavailableReasons.PoolExhausted, exhausted!.Message.Reason);
            Assert.True(unknown.Is(out Response<CallerIdUnavailable>? unknownPool));
            Assert.Equal(CallerIdUnavailableReasons.UnknownPool, unknownPool!.Message.Reason);
            Assert.True(invalid.Is(out Response<CallerIdUnavailable>? invalidDestination));
            Assert.Equal(CallerIdUnavailableReasons.InvalidDestination, invalidDestination!.Message.Reason);

            await bus.Publish(new ReleaseCallerId { LeaseId = acquired.Message.LeaseId, OccurredAt = DateTimeOffset.UtcNow }, Ct);
            var number = await _service.WaitFor(
                $"/api/numbers/{Uri.EscapeDataString(acquired.Message.CallerId)}",
                n => n.GetProperty("usage").GetProperty("activeLeases").GetInt32() == 0,
                TimeSpan.FromSeconds(10));
            Assert.Equal(1, number.GetProperty("usage").GetProperty("totalCalls").GetInt64());
            var again = await client.GetResponse<CallerIdAcquired, CallerIdUnavailable>(Request("bus", "+14155550142"), Ct);
            Assert.True(again.Is(out Response<CallerIdAcquired>? _));
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_calls_terminal_status_on_the_bus_ends_the_lease_taken_for_it()
    {
        await _service.DefinePool("calls", new { maxConcurrentCalls = 1, definedBy = "spec" });
        await _service.Provision(new { pool = "calls", country = "US", areaCodes = SanFrancisco, count = 1, requestedBy = "spec" }, TimeSpan.FromSeconds(60));
        var callSid = "CA" + Guid.NewGuid().ToString("N");
        using var acquired = await _service.Client.PostAsJsonAsync("/api/numbers/acquire", new { pool = "calls", destination = "+14155550142", callSid }, Ct);
        await NumberPoolService.Expect(acquired, HttpStatusCode.OK);
        var callerId = (await acquired.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("callerId").GetString()!;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(_service.RabbitMqUri)));
        await bus.StartAsync(Ct);
        try
        {
            await bus.Publish(Callback(callSid, "ringing"), Ct);
            await bus.Publish(Callback(callSid, "completed"), Ct);

            var number = await _service.WaitFor(
                $"/api/numbers/{Uri.EscapeDataString(callerId)}", n => n.GetProperty("usage").GetProperty("activeLeases").GetInt32() == 0, TimeSpan.FromSeconds(10));
            Assert.Empty(number.GetProperty("usage").GetProperty("leases").EnumerateArray());
            var (status, _) = await _service.Acquire("calls", "+14155550142");
            Assert.Equal(HttpStatusCode.OK, status);
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_suspended_number_is_never_chosen_until_it_is_resumed_and_its_history_says_why_and_who()
    {
        await _service.DefinePool("pause", new { maxConcurrentCalls = 5, definedBy = "spec" });
        var provisioned = await _service.Provision(new { pool = "pause", country = "US", areaCodes = SanFrancisco, count = 1, requestedBy = "spec" }, TimeSpan.FromSeconds(60));
        var number = provisioned.GetProperty("numbers")[0].GetProperty("phoneNumber").GetString()!;
        var path = $"/api/numbers/{Uri.EscapeDataString(number)}/suspension";

        using var suspended = await _service.Client.PutAsJsonAsync(path, new { reason = "carrier complaint", requestedBy = "ops-alice" }, Ct);
        await NumberPoolService.Expect(suspended, HttpStatusCode.OK);
        var (whileSuspended, refusal) = await _service.Acquire("pause", "+14155550142");
        using var releaseLike = new HttpRequestMessage(HttpMethod.Delete, path) { Content = JsonContent.Create(new { reason = "cleared", requestedBy = "ops-bob" }) };
        using var resumed = await _service.Client.SendAsync(releaseLike, Ct);
        await NumberPoolService.Expect(resumed, HttpStatusCode.OK);
        var (afterResume, lease) = await _service.Acquire("pause", "+14155550142");

        Assert.Equal(HttpStatusCode.Conflict, whileSuspended);
        Assert.Equal("pool-exhausted", refusal.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, afterResume);
        Assert.Equal(number, lease.GetProperty("callerId").GetString());
        var history = (await _service.WaitFor($"/api/numbers/{Uri.EscapeDataString(number)}", _ => true, TimeSpan.FromSeconds(5)))
            .GetProperty("history").EnumerateArray().Select(h => (h.GetProperty("state").GetString(), h.GetProperty("reason").GetString(), h.GetProperty("by").GetString()))
            .ToList();
        Assert.Equal([("suspended", "carrier complaint", "ops-alice"), ("active", "cleared", "ops-bob")], history[^2..]);
    }

    private static CallStatusCallbackReceived Callback(string callSid, string status) => new()
    {
        CallSid = callSid,
        AccountSid = NumberPoolService.AccountSid,
        CallStatus = status,
        Parameters = new Dictionary<string, string>(),
        IdempotencyKey = $"{callSid}:{status}",
        ReceivedAt = DateTimeOffset.UtcNow,
    };

    private static AcquireCallerId Request(string pool, string destination) =>
        new() { RequestId = Guid.NewGuid().ToString("N"), Pool = pool, Destination = destination, OccurredAt = DateTimeOffset.UtcNow };
}
