namespace VoiceMesh.Testing;

/// <summary>A throwaway PostgreSQL cluster on 127.0.0.1, run by <c>deploy/local/postgres.sh</c>.</summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);
    private readonly string _directory;

    private LocalPostgres(string directory, string connectionString)
    {
        _directory = directory;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<LocalPostgres> StartNew()
    {
        var directory = Directory.CreateTempSubdirectory("voicemesh-postgres-").FullName;
        var connectionString = await ProcessRunner.Run(
            RepositoryPaths.Script("deploy/local/postgres.sh"), ["start", directory, $"{FreePort.Next()}"], ScriptTimeout);
        return new LocalPostgres(directory, connectionString.Split('\n')[^1].Trim());
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.Run(RepositoryPaths.Script("deploy/local/postgres.sh"), ["stop", _directory], ScriptTimeout);
        Directory.Delete(_directory, recursive: true);
    }
}
