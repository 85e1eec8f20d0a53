using System.Diagnostics;
using System.Net;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>With its own broker stopped the gateway answers 503 quickly, and recovers without a restart.</summary>
public sealed class BrokerOutageSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private IBrokerNode _broker = null!;
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync()
    {
        _broker = await TestInfrastructure.StartBrokerNode();
        var vhost = await TestInfrastructure.CreateVirtualHostAsync(_broker.AmqpUri, _broker.ManagementUri);
        _mesh = await Mesh.Start(vhost, infrastructure.PostgresConnectionString, otherServices: Mesh.CallsAlone);
    }

    public async ValueTask DisposeAsync()
    {
        await _mesh.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_stopped_broker_gets_503_within_5_seconds_and_a_restarted_one_is_used_again()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = Mesh.NewCallSid();
        using (var response = await _mesh.PostStatus(Mesh.StatusCallback(before, "ringing", 2), cancellationToken: ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await _broker.StopAsync();

        var during = Mesh.NewCallSid();
        var clock = Stopwatch.StartNew();
        using (var response = await _mesh.PostStatus(Mesh.StatusCallback(during, "ringing", 2), cancellationToken: ct))
        {
            clock.Stop();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"503 took {clock.Elapsed}");
        }

        await _broker.StartAsync();

        var after = Mesh.NewCallSid();
        var recovered = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await _mesh.PostStatus(Mesh.StatusCallback(after, "completed", 4), cancellationToken: ct);
            status = response.StatusCode;
            if (status != HttpStatusCode.NoContent)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                await Task.Delay(500, ct);
            }
        }
        while (status != HttpStatusCode.NoContent && recovered.Elapsed < TimeSpan.FromSeconds(90));

        Assert.Equal(HttpStatusCode.NoContent, status);
        await _mesh.WaitForCall(before, c => c.GetProperty("status").GetString() == "ringing", TimeSpan.FromSeconds(60));
        await _mesh.WaitForCall(after, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(60));
        Assert.Null(await _mesh.GetCall(during, ct));
    }
}
