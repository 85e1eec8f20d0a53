using Testcontainers.PostgreSql;

namespace VoiceMesh.Testing;

/// <summary>A PostgreSQL container (where a Docker engine answers) with a fixed host port, so it can be restarted in place.</summary>
public sealed class ContainerPostgres : IPostgresServer
{
    private readonly PostgreSqlContainer _container;
    private readonly int _port = FreePort.Next();

    private ContainerPostgres() =>
        _container = new PostgreSqlBuilder("postgres:16-alpine")
            .WithPortBinding(_port, PostgreSqlBuilder.PostgreSqlPort)
            .Build();

    public string ConnectionString => _container.GetConnectionString();

    /// <summary>Starts a container, or returns null at once when no Docker engine answers.</summary>
    public static async Task<ContainerPostgres?> TryStartNew()
    {
        ContainerPostgres server;
        try
        {
            server = new ContainerPostgres();
        }
        catch (DotNet.Testcontainers.Builders.DockerUnavailableException)
        {
            return null;
        }

        await server.StartAsync();
        return server;
    }

    public Task StartAsync() => _container.StartAsync();

    public Task StopAsync() => _container.StopAsync();

    public ValueTask DisposeAsync() => _container.DisposeAsync();
}
