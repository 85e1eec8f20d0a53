using Testcontainers.RabbitMq;

namespace VoiceMesh.Testing;

/// <summary>A RabbitMQ container (where a Docker engine answers) with fixed host ports, so it can be restarted in place.</summary>
public sealed class ContainerBrokerNode : IBrokerNode
{
    private readonly RabbitMqContainer _container;
    private readonly int _amqpPort = FreePort.Next();
    private readonly int _managementPort = FreePort.Next();

    private ContainerBrokerNode() =>
        _container = new RabbitMqBuilder("rabbitmq:3.13-management")
            .WithUsername("guest")
            .WithPassword("guest")
            .WithPortBinding(_amqpPort, 5672)
            .WithPortBinding(_managementPort, 15672)
            .Build();

    public string AmqpUri => $"amqp://guest:guest@127.0.0.1:{_amqpPort}/";

    public Uri ManagementUri => new($"http://127.0.0.1:{_managementPort}/");

    /// <summary>Starts a container, or returns null at once when no Docker engine answers.</summary>
    public static async Task<ContainerBrokerNode?> TryStartNew()
    {
        ContainerBrokerNode node;
        try
        {
            node = new ContainerBrokerNode();
        }
        catch (DotNet.Testcontainers.Builders.DockerUnavailableException)
        {
            return null;
        }

        await node.StartAsync();
        return node;
    }

    public Task StartAsync() => _container.StartAsync();

    public Task StopAsync() => _container.StopAsync();

    public ValueTask DisposeAsync() => _container.DisposeAsync();
}
