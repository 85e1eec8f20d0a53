using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A number's lifecycle through the NumberPool service (a process, real PostgreSQL and RabbitMQ, the simulator as
/// Twilio): released numbers are quarantined, then deleted at Twilio, and never returned as caller ids; an exhausted
/// or unknown pool, an invalid destination and Twilio refusing a purchase each give a clear answer and leave the pool
/// consistent.
/// </summary>
public sealed class NumberLifecycleSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private static readonly int[] SanFrancisco = [415];
    private static readonly int[] SeattleAndSanFrancisco = [206, 415, 999];

    private NumberPoolService _service = null!;

    public async ValueTask InitializeAsync() =>
        _service = await NumberPoolService.Start(infrastructure, new Dictionary<string, string>
        {
            ["NumberPool__QuarantinePeriod"] = "00:00:02",
            ["NumberPool__LifecycleCheckInterval"] = "00:00:00.200",
        });

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task A_released_number_is_quarantined_then_deleted_at_twilio_and_never_returned_again()
    {
        await _service.DefinePool("sales", new { maxConcurrentCalls = 5, definedBy = "spec" });
        var provisioned = await _service.Provision(
            new { pool = "sales", country = "US", areaCodes = SanFrancisco, count = 2, requestedBy = "spec" }, TimeSpan.FromSeconds(60));
        var numbers = provisioned.GetProperty("numbers").EnumerateArray().Select(n => n.GetProperty("phoneNumber").GetString()!).ToList();
        var released = numbers[0];
        var sid = (await _service.WaitFor($"/api/numbers/{Uri.EscapeDataString(released)}", n => n.GetProperty("state").GetString() == "active", TimeSpan.FromSeconds(5)))
            .GetProperty("phoneNumberSid").GetString()!;
        var owned = await IncomingPhoneNumberResource.FetchAsync(sid, client: _service.Simulator.CreateTwilioClient());
        Assert.Equal(new Uri(NumberPoolService.PublicBaseUrl + "/twilio/voice"), owned.VoiceUrl);
        Assert.Equal(new Uri(NumberPoolService.PublicBaseUrl + "/twilio/voice/fallback"), owned.VoiceFallbackUrl);
        Assert.Equal(Twilio.Http.HttpMethod.Post, owned.VoiceFallbackMethod);
        Assert.Equal(new Uri(NumberPoolService.PublicBaseUrl + "/twilio/voice/status"), owned.StatusCallback);

        using (var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/numbers/{Uri.EscapeDataString(released)}")
        {
            Content = JsonContent.Create(new { reason = "spam complaints", requestedBy = "ops@example.com" }),
        })
        {
            using var response = await _service.Client.SendAsync(request, TestContext.Current.CancellationToken);
            await NumberPoolService.Expect(response, HttpStatusCode.Accepted);
            Assert.Equal("quarantined", (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("state").GetString());
        }

        for (var i = 0; i < 10; i++)
        {
            var (status, lease) = await _service.Acquire("sales", "+14155550142");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(numbers[1], lease.GetProperty("callerId").GetString());
            await _service.Release(lease.GetProperty("leaseId").GetString()!);
        }

        var gone = await _service.WaitFor(
            $"/api/numbers/{Uri.EscapeDataString(released)}", n => n.GetProperty("state").GetString() == "released", TimeSpan.FromSeconds(30));
        var deleted = await Assert.ThrowsAsync<ApiException>(() => IncomingPhoneNumberResource.FetchAsync(sid, client: _service.Simulator.CreateTwilioClient()));
        Assert.Equal(20404, deleted.Code);
        var history = gone.GetProperty("history").EnumerateArray().Select(s => (s.GetProperty("state").GetString(), s.GetProperty("reason").GetString(), s.GetProperty("by").GetString())).ToList();
        Assert.Equal(["provisioning", "active", "quarantined", "released"], history.Select(h => h.Item1));
        Assert.Equal(("spam complaints", "ops@example.com"), (history[2].Item2, history[2].Item3));

        // The number is back in Twilio's inventory, but the pool never takes it again.
        var again = await _service.Provision(
            new { pool = "sales", country = "US", areaCodes = SanFrancisco, count = 1, requestedBy = "spec" }, TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(released, again.GetProperty("numbers").EnumerateArray().Select(n => n.GetProperty("phoneNumber").GetString()));
        var callerIds = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (status, lease) = await _service.Acquire("sales", "+14155550142");
            Assert.Equal(HttpStatusCode.OK, status);
            callerIds.Add(lease.GetProperty("callerId").GetString()!);
            await _service.Release(lease.GetProperty("leaseId").GetString()!);
        }

        Assert.DoesNotContain(released, callerIds);
    }

    [Fact]
    public async Task An_exhausted_or_unknown_pool_and_an_invalid_destination_get_clear_answers()
    {
        await _service.DefinePool("single", new { maxConcurrentCalls = 1, definedBy = "spec" });
        await _service.Provision(new { pool = "single", country = "US", areaCodes = SanFrancisco, count = 1, requestedBy = "spec" }, TimeSpan.FromSeconds(60));

        var (first, lease) = await _service.Acquire("single", "+14155550142");
        var (exhausted, exhaustedBody) = await _service.Acquire("single", "+14155550142");
        var (unknown, unknownBody) = await _service.Acquire("nobody", "+14155550142");
        var (invalid, invalidBody) = await _service.Acquire("single", "+1415555");
        await _service.Release(lease.GetProperty("leaseId").GetString()!);
        var (afterRelease, _) = await _service.Acquire("single", "+14155550142");

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(HttpStatusCode.Conflict, exhausted);
        Assert.Equal("pool-exhausted", exhaustedBody.GetProperty("reason").GetString());
        Assert.Contains("1 at their concurrent-call limit", exhaustedBody.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal("unknown-pool", unknownBody.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid);
        Assert.True(invalidBody.GetProperty("errors").TryGetProperty("destination", out _));
        Assert.Equal(HttpStatusCode.OK, afterRelease);
    }

    [Fact]
    public async Task Twilio_refusing_purchases_and_empty_area_codes_are_reported_per_number_and_the_pool_holds_only_what_was_bought()
    {
        await _service.DefinePool("mixed", new { maxConcurrentCalls = 5, definedBy = "spec" });
        _service.Simulator.Control.RefuseNumberPurchases("+1206");

        var outcome = await _service.Provision(
            new { pool = "mixed", country = "US", areaCodes = SeattleAndSanFrancisco, count = 6, requestedBy = "spec" }, TimeSpan.FromSeconds(60));

        var numbers = outcome.GetProperty("numbers").EnumerateArray().ToList();
        Assert.Equal(4, numbers.Count);
        var refused = numbers.Where(n => n.GetProperty("phoneNumber").GetString()!.StartsWith("+1206", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, refused.Count);
        Assert.All(refused, n => Assert.Equal(("failed", 21422), (n.GetProperty("state").GetString(), n.GetProperty("errorCode").GetInt32())));
        Assert.All(numbers.Except(refused), n => Assert.Equal("active", n.GetProperty("state").GetString()));
        var shortfall = Assert.Single(outcome.GetProperty("shortfalls").EnumerateArray());
        Assert.Equal(("999", 2), (shortfall.GetProperty("where").GetString(), shortfall.GetProperty("missing").GetInt32()));

        var active = await _service.WaitFor("/api/numbers?pool=mixed&state=active", b => b.GetArrayLength() == 2, TimeSpan.FromSeconds(5));
        Assert.All(active.EnumerateArray(), n => Assert.StartsWith("+1415", n.GetProperty("phoneNumber").GetString(), StringComparison.Ordinal));
        for (var i = 0; i < 6; i++)
        {
            var (status, lease) = await _service.Acquire("mixed", "+12065550142");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.StartsWith("+1415", lease.GetProperty("callerId").GetString(), StringComparison.Ordinal);
            Assert.Equal("country", lease.GetProperty("match").GetString());
            await _service.Release(lease.GetProperty("leaseId").GetString()!);
        }

        var unknownPool = await _service.Provision(new { pool = "ghost", country = "US", count = 1, requestedBy = "spec" }, TimeSpan.FromSeconds(30));
        Assert.Equal(("rejected", "pool"), (unknownPool.GetProperty("status").GetString(), unknownPool.GetProperty("rejectedField").GetString()));
    }
}
