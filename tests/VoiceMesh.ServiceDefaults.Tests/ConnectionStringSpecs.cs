using Npgsql;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>The event store prepares its statements unless the operator's connection string decides otherwise.</summary>
public sealed class ConnectionStringSpecs
{
    [Fact]
    public void A_connection_string_without_a_preparation_setting_gets_automatic_preparation()
    {
        var prepared = new NpgsqlConnectionStringBuilder(
            MartenExtensions.WithPreparedStatements("Host=127.0.0.1;Port=5432;Username=postgres;Database=voicemesh"));

        Assert.Equal(MartenExtensions.DefaultMaxAutoPrepare, prepared.MaxAutoPrepare);
        Assert.Equal("127.0.0.1", prepared.Host);
        Assert.Equal(5432, prepared.Port);
        Assert.Equal("voicemesh", prepared.Database);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;MaxAutoPrepare=10", 10)]
    [InlineData("Host=db;max auto prepare=20", 20)]
    public void An_explicit_preparation_setting_is_kept(string connectionString, int expected)
    {
        var kept = MartenExtensions.WithPreparedStatements(connectionString);

        Assert.Equal(connectionString, kept);
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(kept).MaxAutoPrepare);
    }
}
