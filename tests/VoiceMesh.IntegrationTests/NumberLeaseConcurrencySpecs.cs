using System.Diagnostics;
using System.Net;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Four workers lease caller ids at once from a number limited to 2 concurrent calls, holding each lease a moment; the
/// lease ledgers in the event store, replayed, never show a number above its limit. (The full 10,000-lease run with its
/// throughput is <c>./voicemesh bench number-acquire</c>.)
/// </summary>
public sealed class NumberLeaseConcurrencySpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const int Workers = 4;
    private const int LeasesPerWorker = 500;
    private const int Limit = 2;
    private static readonly int[] AreaCodes = [415];

    private NumberPoolService _service = null!;

    public async ValueTask InitializeAsync() => _service = await NumberPoolService.Start(infrastructure);

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Concurrent_workers_never_take_a_number_past_its_concurrent_limit_as_the_replayed_ledgers_show()
    {
        await _service.DefinePool("tight", new { maxConcurrentCalls = Limit, definedBy = "spec" });
        var provisioned = await _service.Provision(
            new { pool = "tight", country = "US", areaCodes = AreaCodes, count = 1, requestedBy = "spec" }, TimeSpan.FromSeconds(60));
        Assert.All(provisioned.GetProperty("numbers").EnumerateArray(), n => Assert.Equal("active", n.GetProperty("state").GetString()));

        var exhausted = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async worker =>
        {
            var random = new Random(worker);
            for (var leased = 0; leased < LeasesPerWorker;)
            {
                var (status, body) = await _service.Acquire("tight", "+14155550199");
                if (status == HttpStatusCode.Conflict)
                {
                    Assert.Equal("pool-exhausted", body.GetProperty("reason").GetString());
                    Interlocked.Increment(ref exhausted);
                    continue;
                }

                Assert.Equal(HttpStatusCode.OK, status);
                leased++;
                if (random.Next(4) == 0)
                {
                    await Task.Delay(random.Next(1, 5));
                }

                await _service.Release(body.GetProperty("leaseId").GetString()!);
            }
        }));
        clock.Stop();

        var ledgers = await _service.Ledgers();
        var leases = 0;
        foreach (var (stream, events) in ledgers)
        {
            var active = 0;
            foreach (var e in events)
            {
                var recorded = e.GetProperty("ActiveLeases").GetInt32();
                active += e.TryGetProperty("AcquiredAt", out _) ? 1 : -1;
                leases += e.TryGetProperty("AcquiredAt", out _) ? 1 : 0;
                Assert.True(active <= Limit, $"{stream} had {active} leases at once");
                Assert.Equal(active, recorded);
            }

            Assert.Equal(0, active);
        }

        Assert.Equal(Workers * LeasesPerWorker, leases);
        TestContext.Current.SendDiagnosticMessage(
            $"{leases} leases (and releases) by {Workers} workers in {clock.Elapsed.TotalSeconds:F1} s, {exhausted} pool-exhausted answers");
    }
}
