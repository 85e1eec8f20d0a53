using Npgsql;
using VoiceMesh.NumberPool.Leasing;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// The connections that end leases commit without waiting for the WAL flush (safe: a lost ending leaves the lease open
/// until it expires); every other setting of the lease connections is kept.
/// </summary>
public sealed class LeaseEndingsSpecs(TestInfrastructure infrastructure)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sessions_that_end_leases_run_with_synchronous_commit_off_and_keep_the_lease_connections_options()
    {
        var leases = new NpgsqlConnectionStringBuilder(infrastructure.PostgresConnectionString)
        {
            Options = "-c application_name=voicemesh-leases",
            NoResetOnClose = true,
        }.ConnectionString;

        var endings = LeaseEndings.ConnectionString(leases);

        Assert.Equal("off", await Show(endings, "synchronous_commit"));
        Assert.Equal("voicemesh-leases", await Show(endings, "application_name"));
        Assert.True(new NpgsqlConnectionStringBuilder(endings).NoResetOnClose);
    }

    private static async Task<string?> Show(string connectionString, string setting)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand($"show {setting}");
        return (string?)await command.ExecuteScalarAsync(Ct);
    }
}
