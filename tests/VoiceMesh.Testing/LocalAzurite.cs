namespace VoiceMesh.Testing;

/// <summary>Azurite's blob service on 127.0.0.1, in memory, run by <c>deploy/local/azurite.sh</c> (which installs it with npm when missing).</summary>
public sealed class LocalAzurite : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);
    private readonly string _directory;

    private LocalAzurite(string directory, string connectionString)
    {
        _directory = directory;
        ConnectionString = connectionString;
    }

    /// <summary>The well-known <c>devstoreaccount1</c> connection string with this instance's blob endpoint.</summary>
    public string ConnectionString { get; }

    public static async Task<LocalAzurite> StartNew()
    {
        var directory = Directory.CreateTempSubdirectory("voicemesh-azurite-").FullName;
        var output = await LocalScript.Start("deploy/local/azurite.sh", "Azurite", "azurite@3.37.0", directory, FreePort.Next(), ScriptTimeout);
        return new LocalAzurite(directory, output);
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.Run(RepositoryPaths.Script("deploy/local/azurite.sh"), ["stop", _directory], ScriptTimeout);
        Directory.Delete(_directory, recursive: true);
    }
}
