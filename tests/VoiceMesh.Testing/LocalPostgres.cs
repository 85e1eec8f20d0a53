namespace VoiceMesh.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster on 127.0.0.1, run by <c>deploy/local/postgres.sh</c>. Stopping and starting it
/// keeps its port and its data directory, so what was committed before an outage is there after it.
/// </summary>
public sealed class LocalPostgres : IPostgresServer
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);
    private readonly string _directory;
    private readonly int _port = FreePort.Next();

    private LocalPostgres(string directory) => _directory = directory;

    public string ConnectionString { get; private set; } = "";

    public static async Task<LocalPostgres> StartNew()
    {
        var server = new LocalPostgres(Directory.CreateTempSubdirectory("voicemesh-postgres-").FullName);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var output = await ProcessRunner.Run(
            RepositoryPaths.Script("deploy/local/postgres.sh"), ["start", _directory, $"{_port}"], ScriptTimeout);
        ConnectionString = output.Split('\n')[^1].Trim();
    }

    public Task StopAsync() =>
        ProcessRunner.Run(RepositoryPaths.Script("deploy/local/postgres.sh"), ["stop", _directory], ScriptTimeout);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
