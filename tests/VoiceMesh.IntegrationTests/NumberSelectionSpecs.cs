using System.Net;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// 50 numbers over 5 area codes, provisioned from the simulator through the NumberPool service (a process, real
/// PostgreSQL and RabbitMQ); caller ids for 1,000 destinations are each the best local match the pool holds, and equal
/// candidates share the load evenly.
/// </summary>
public sealed class NumberSelectionSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private static readonly int[] AreaCodes = [415, 212, 312, 512, 206];

    /// <summary>Per pool area code: another area code of the same state (region match).</summary>
    private static readonly Dictionary<int, int> SameState = new() { [415] = 510, [212] = 718, [312] = 773, [512] = 214, [206] = 425 };

    private NumberPoolService _service = null!;

    public async ValueTask InitializeAsync() => _service = await NumberPoolService.Start(infrastructure);

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Every_caller_id_is_the_best_local_match_and_equal_candidates_share_the_load_evenly()
    {
        await _service.DefinePool("local", new { maxConcurrentCalls = 10, definedBy = "spec" });
        var provisioned = await _service.Provision(
            new { pool = "local", country = "US", areaCodes = AreaCodes, count = 50, requestedBy = "spec" }, TimeSpan.FromSeconds(90));
        var numbers = provisioned.GetProperty("numbers").EnumerateArray().ToList();
        Assert.Equal(50, numbers.Count);
        Assert.All(numbers, n => Assert.Equal("active", n.GetProperty("state").GetString()));
        var pool = (await _service.WaitFor("/api/numbers?pool=local&state=active", b => b.GetArrayLength() == 50, TimeSpan.FromSeconds(10)))
            .EnumerateArray()
            .Select(n => new PoolNumber(n.GetProperty("phoneNumber").GetString()!, n.GetProperty("areaCode").GetString()!, n.GetProperty("region").GetString()!))
            .ToList();
        Assert.All(AreaCodes, a => Assert.Equal(10, pool.Count(n => n.AreaCode == $"{a}")));
        Assert.All(pool, n => Assert.NotEqual("", n.Region));

        var destinations = Destinations(pool);
        var uses = pool.ToDictionary(n => n.PhoneNumber, _ => 0, StringComparer.Ordinal);
        foreach (var (destination, expected) in destinations)
        {
            var (status, lease) = await _service.Acquire("local", destination);
            Assert.Equal(HttpStatusCode.OK, status);
            var callerId = lease.GetProperty("callerId").GetString()!;
            Assert.Equal(expected, lease.GetProperty("match").GetString());
            Assert.Contains(callerId, Best(pool, destination, expected));
            uses[callerId]++;
            await _service.Release(lease.GetProperty("leaseId").GetString()!);
        }

        Assert.Equal(1000, destinations.Count);
        Assert.True(uses.Values.Max() <= uses.Values.Min() * 1.2, $"uses per number range {uses.Values.Min()}-{uses.Values.Max()}");
    }

    private sealed record PoolNumber(string PhoneNumber, string AreaCode, string Region);

    /// <summary>The pool numbers a destination should get at the expected level of locality.</summary>
    private static IEnumerable<string> Best(List<PoolNumber> pool, string destination, string match) => match switch
    {
        "exchange" => pool.Where(n => n.PhoneNumber[..8] == destination[..8]).Select(n => n.PhoneNumber),
        "area-code" => pool.Where(n => n.AreaCode == destination[2..5]).Select(n => n.PhoneNumber),
        "region" => pool.Where(n => n.AreaCode == $"{SameState.Single(s => $"{s.Value}" == destination[2..5]).Key}").Select(n => n.PhoneNumber),
        _ => pool.Select(n => n.PhoneNumber),
    };

    /// <summary>
    /// 200 destinations per pool area code, shuffled with a fixed seed: 40 in a pool number's own exchange (4 per
    /// number), 60 elsewhere in its area code, 50 in another area code of its state, 30 elsewhere in the US (Florida)
    /// and 20 abroad (London), each with the match it must get.
    /// </summary>
    private static List<(string Destination, string Match)> Destinations(List<PoolNumber> pool)
    {
        var random = new Random(20_261_130);
        var destinations = new List<(string, string)>();
        foreach (var areaCode in AreaCodes)
        {
            var exchanges = pool.Where(n => n.AreaCode == $"{areaCode}").Select(n => n.PhoneNumber[5..8]).ToHashSet();
            var others = Enumerable.Range(300, 600).Select(e => $"{e}").Where(e => !exchanges.Contains(e) && e[1..] != "11" && e != "555").ToList();
            for (var i = 0; i < 40; i++)
            {
                destinations.Add(($"+1{areaCode}{exchanges.ElementAt(i % 10)}{random.Next(1000, 9999)}", "exchange"));
            }

            for (var i = 0; i < 60; i++)
            {
                destinations.Add(($"+1{areaCode}{others[random.Next(others.Count)]}{random.Next(1000, 9999)}", "area-code"));
            }

            for (var i = 0; i < 50; i++)
            {
                destinations.Add(($"+1{SameState[areaCode]}{others[random.Next(others.Count)]}{random.Next(1000, 9999)}", "region"));
            }

            for (var i = 0; i < 30; i++)
            {
                destinations.Add(($"+1305{others[random.Next(others.Count)]}{random.Next(1000, 9999)}", "country"));
            }

            for (var i = 0; i < 20; i++)
            {
                destinations.Add(($"+44207946{random.Next(0, 999):D4}", "any"));
            }
        }

        return [.. destinations.OrderBy(_ => random.Next())];
    }
}
