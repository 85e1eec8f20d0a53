namespace VoiceMesh.Testing;

/// <summary>A RabbitMQ broker a test owns, and may take down and bring back.</summary>
public interface IBrokerNode : IAsyncDisposable
{
    string AmqpUri { get; }

    Uri ManagementUri { get; }

    Task StopAsync();

    Task StartAsync();
}
