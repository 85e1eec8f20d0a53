using System.Net;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Status callbacks through the real gateway, RabbitMQ, two competing Calls instances and PostgreSQL: every
/// arrival order of one lifecycle, with a duplicate, ends in the same read model.
/// </summary>
public sealed class LifecycleEndToEndSpecs(LifecycleEndToEndSpecs.CompetingCalls fixture) : IClassFixture<LifecycleEndToEndSpecs.CompetingCalls>
{
    private readonly Mesh _mesh = fixture.Mesh;

    /// <summary>Every distinct order of the five events plus a repeat of the ringing one: 6!/2 = 360.</summary>
    private static List<int[]> ArrivalOrders()
    {
        int[] events = [0, 1, 2, 3, 4, 2];
        var orders = new Dictionary<string, int[]>();
        Permute(events, 0, orders);
        return [.. orders.Values];

        static void Permute(int[] items, int start, Dictionary<string, int[]> into)
        {
            if (start == items.Length)
            {
                into.TryAdd(string.Join(',', items), [.. items]);
                return;
            }

            for (var i = start; i < items.Length; i++)
            {
                (items[start], items[i]) = (items[i], items[start]);
                Permute(items, start + 1, into);
                (items[start], items[i]) = (items[i], items[start]);
            }
        }
    }

    [Fact]
    public async Task Every_arrival_order_of_a_lifecycle_with_a_duplicate_ends_completed_with_each_report_once()
    {
        var orders = ArrivalOrders();
        Assert.Equal(360, orders.Count);
        var calls = orders.Select(order => (CallSid: Mesh.NewCallSid(), Order: order)).ToList();

        using var gate = new SemaphoreSlim(24);
        await Task.WhenAll(calls.Select(async call =>
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                foreach (var sequence in call.Order)
                {
                    using var response = await _mesh.PostStatus(
                        Mesh.StatusCallback(call.CallSid, Mesh.Lifecycle[sequence], sequence),
                        $"{call.CallSid}-{sequence}",
                        TestContext.Current.CancellationToken);
                    Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        foreach (var (callSid, _) in calls)
        {
            var call = await _mesh.WaitForCall(callSid, c => c.GetProperty("history").GetArrayLength() >= 5, TimeSpan.FromSeconds(120));
            Assert.Equal("completed", call.GetProperty("status").GetString());
            Assert.Equal(Mesh.Lifecycle, call.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
            Assert.Equal([0, 1, 2, 3, 4], call.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("sequenceNumber").GetInt32()));
            Assert.Equal(42, call.GetProperty("durationSeconds").GetInt32());
            Assert.Equal("outbound-api", call.GetProperty("direction").GetString());
        }
    }

    [Fact]
    public async Task An_unknown_call_is_a_404_problem()
    {
        using var response = await _mesh.Client.GetAsync("/api/calls/" + Mesh.NewCallSid(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_read_model_has_the_documented_shape()
    {
        var callSid = Mesh.NewCallSid();
        using var response = await _mesh.PostStatus(Mesh.StatusCallback(callSid, "ringing", 2), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var call = await _mesh.WaitForCall(callSid, _ => true, TimeSpan.FromSeconds(30));

        Assert.Equal(
            ["answeredBy", "callSid", "direction", "durationSeconds", "flow", "from", "history", "placementAttempts", "price", "queue", "recordings", "requestId", "sipResponseCode", "status", "streamGaps", "streams", "timings", "to", "traceId"],
            call.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var entry = call.GetProperty("history")[0];
        Assert.Equal(
            ["sequenceNumber", "source", "status", "timestamp"],
            entry.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.String, entry.GetProperty("timestamp").ValueKind);
        Assert.Equal(0, call.GetProperty("recordings").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, call.GetProperty("price").ValueKind);
    }

    /// <summary>The mesh with two Calls processes competing for the callbacks.</summary>
    public sealed class CompetingCalls(TestInfrastructure infrastructure) : MeshFixture(infrastructure)
    {
        protected override int CallsInstances => 2;

        protected override IReadOnlyCollection<string>? OtherServices => Mesh.CallsAlone;
    }
}
