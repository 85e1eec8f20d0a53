namespace VoiceMesh.Testing;

/// <summary>
/// A private RabbitMQ node on 127.0.0.1, run from the Debian package by <c>deploy/local/rabbitmq.sh</c>.
/// Stopping and starting it keeps its ports and its data directory, so durable queues survive an outage.
/// </summary>
public sealed class LocalRabbitMqNode : IBrokerNode
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);
    private readonly string _directory;
    private readonly int _amqpPort = FreePort.Next();
    private readonly int _managementPort = FreePort.Next();
    private readonly int _distributionPort = FreePort.Next();

    private LocalRabbitMqNode(string directory) => _directory = directory;

    public string AmqpUri => $"amqp://guest:guest@127.0.0.1:{_amqpPort}/";

    public Uri ManagementUri => new($"http://127.0.0.1:{_managementPort}/");

    public static async Task<LocalRabbitMqNode> StartNew()
    {
        var node = new LocalRabbitMqNode(Directory.CreateTempSubdirectory("voicemesh-rabbitmq-").FullName);
        await node.StartAsync();
        return node;
    }

    public Task StartAsync() => ProcessRunner.Run(
        RepositoryPaths.Script("deploy/local/rabbitmq.sh"),
        ["start", _directory, $"{_amqpPort}", $"{_managementPort}", $"{_distributionPort}"],
        ScriptTimeout);

    public Task StopAsync() =>
        ProcessRunner.Run(RepositoryPaths.Script("deploy/local/rabbitmq.sh"), ["stop", _directory], ScriptTimeout);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
