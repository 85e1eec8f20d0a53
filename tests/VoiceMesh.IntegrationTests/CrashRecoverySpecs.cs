using System.Net;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>Killing Calls outright while it consumes loses nothing and applies nothing twice.</summary>
public sealed class CrashRecoverySpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync() =>
        _mesh = await Mesh.Start(await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString, otherServices: Mesh.CallsAlone);

    public ValueTask DisposeAsync() => _mesh.DisposeAsync();

    [Fact]
    public async Task Sigkill_halfway_through_1000_callbacks_then_a_restart_applies_all_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var callbacks = Enumerable.Range(0, 200)
            .Select(_ => Mesh.NewCallSid())
            .SelectMany(sid => Mesh.Lifecycle.Select((status, sequence) => (CallSid: sid, Status: status, Sequence: sequence)))
            .ToList();
        Assert.Equal(1000, callbacks.Count);

        var posted = 0;
        var killed = false;
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(callbacks.Select(async callback =>
        {
            await gate.WaitAsync(ct);
            try
            {
                using var response = await _mesh.PostStatus(
                    Mesh.StatusCallback(callback.CallSid, callback.Status, callback.Sequence), cancellationToken: ct);
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                if (Interlocked.Increment(ref posted) == 500)
                {
                    _mesh.Calls[0].Kill();
                    killed = true;
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.True(killed);
        await _mesh.Calls[0].StartAsync();

        foreach (var callSid in callbacks.Select(c => c.CallSid).Distinct())
        {
            var call = await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed"
                && c.GetProperty("history").GetArrayLength() >= 5, TimeSpan.FromSeconds(120));
            Assert.Equal(Mesh.Lifecycle, call.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        }
    }
}
