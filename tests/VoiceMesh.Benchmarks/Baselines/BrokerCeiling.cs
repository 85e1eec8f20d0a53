using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks.Baselines;

/// <summary>
/// The broker ceiling: raw <c>RabbitMQ.Client</c> (the version MassTransit brings) on a virtual host of its own,
/// publishing each webhook's form body as a persistent message to a durable quorum queue, as the gateway's publishes
/// reach Calls' queue, each awaited until the broker confirms it. One connection and one channel with confirmation
/// tracking and no limit on outstanding confirms, driven by as many concurrent publishers as the gateway has
/// connections. Nothing consumes the queue; it is deleted at the end. The gateway publishes a MassTransit envelope of
/// the mapped contract instead, which is larger than the form body; that and the serialization are its own cost.
/// </summary>
internal sealed class BrokerCeiling : IAsyncDisposable
{
    private const string Queue = "broker-ceiling";

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly BasicProperties _persistent = new() { Persistent = true, ContentType = "application/x-www-form-urlencoded" };

    private BrokerCeiling(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    /// <summary>Connects to <paramref name="amqpUri"/> (its path names the virtual host) and declares the queue.</summary>
    public static async Task<BrokerCeiling> Open(string amqpUri, CancellationToken cancellationToken)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync(cancellationToken);
        try
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(
                    publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null),
                cancellationToken);
            await channel.QueueDeclareAsync(
                Queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: cancellationToken);
            return new BrokerCeiling(connection, channel);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every body of <paramref name="webhooks"/>, each once, through <paramref name="concurrency"/> publishers.</summary>
    public Task<LoadRun> Publish(IReadOnlyList<StatusWebhook> webhooks, int concurrency, CancellationToken cancellationToken) =>
        Load.Closed(webhooks.Count, concurrency, (i, ct) => Publish(webhooks[i].Body, ct), cancellationToken);

    /// <summary>Every body of <paramref name="webhooks"/>, each once, on a fixed schedule of <paramref name="perSecond"/>.</summary>
    public Task<LoadRun> Paced(IReadOnlyList<StatusWebhook> webhooks, double perSecond, CancellationToken cancellationToken) =>
        Load.Paced(webhooks.Count, perSecond, (i, ct) => Publish(webhooks[i].Body, ct), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.QueueDeleteAsync(Queue, ifUnused: false, ifEmpty: false);
        }
        finally
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    /// <summary>Null once the broker confirmed the message; why not when it refused it.</summary>
    private async Task<string?> Publish(byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.BasicPublishAsync("", Queue, mandatory: false, _persistent, body, cancellationToken);
            return null;
        }
        catch (PublishException ex)
        {
            return ex.IsReturn ? "returned" : "nacked";
        }
    }
}
