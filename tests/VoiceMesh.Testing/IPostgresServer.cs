namespace VoiceMesh.Testing;

/// <summary>A PostgreSQL server a test owns, and may take down and bring back on the same port and data.</summary>
public interface IPostgresServer : IAsyncDisposable
{
    string ConnectionString { get; }

    Task StopAsync();

    Task StartAsync();
}
