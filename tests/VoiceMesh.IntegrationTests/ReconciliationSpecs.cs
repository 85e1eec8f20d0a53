using System.Diagnostics;
using System.Net;
using Npgsql;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Reconciliation reaches every stale call, not the same first page again and again: with a page of 5 and 30 calls
/// Twilio does not know (it answers 20404), each call gets Twilio's refusal recorded within a few runs.
/// </summary>
public sealed class ReconciliationSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const int Calls = 30;
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync() =>
        _mesh = await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(),
            infrastructure.PostgresConnectionString,
            callsSettings: new Dictionary<string, string>
            {
                ["Calls__Reconciliation__BatchSize"] = "5",
                ["Calls__Reconciliation__StaleAfter"] = "00:00:01",
            },
            otherServices: Mesh.CallsAlone);

    public async ValueTask DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task Every_stale_call_is_asked_about_and_twilio_s_20404_is_recorded_on_each()
    {
        var ct = TestContext.Current.CancellationToken;
        var sids = Enumerable.Range(0, Calls).Select(_ => Mesh.NewCallSid()).ToArray();
        foreach (var sid in sids)
        {
            using var response = await _mesh.PostStatus(Mesh.StatusCallback(sid, "ringing", 2), cancellationToken: ct);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var refused = 0L;
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            refused = await StreamsWithRefusal(sids, ct);
            if (refused == Calls)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }

        Assert.True(refused == Calls, $"only {refused} of {Calls} stale calls had Twilio's refusal recorded after {waited.Elapsed}");
    }

    private async Task<long> StreamsWithRefusal(string[] sids, CancellationToken ct)
    {
        var schema = _mesh.CallsEnvironment["Marten__Schema"];
        await using var connection = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select count(distinct stream_id) from {schema}.mt_events where type = 'call_reconciliation_refused' and stream_id = any(@sids)",
            connection);
        command.Parameters.AddWithValue("sids", sids);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
