using System.Net.Http.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace VoiceMesh.Gateway.DeadLetters;

/// <summary>An <c>_error</c> queue and how many messages it holds (the management API's figure, up to 5 s old).</summary>
internal sealed record DeadLetterQueue(string Queue, string FaultedOn, long Messages);

/// <summary>What a replay moved back (each message id once, however many copies) and which ids it did not find.</summary>
internal sealed record ReplayOutcome(IReadOnlyList<string> Replayed, IReadOnlyList<string> NotFound, int Moved);

/// <summary>The broker refused or dropped the work part way: nothing unconfirmed was taken from the error queue.</summary>
internal sealed class DeadLetterBrokerException(string message, IReadOnlyList<string> replayed, Exception inner) : Exception(message, inner)
{
    public IReadOnlyList<string> Replayed { get; } = replayed;
}

/// <summary>
/// Reads and replays the broker's <c>_error</c> queues over AMQP, and lists them through the management API.
/// <para>
/// Both read by consuming without acknowledging, never with <c>basic.get</c>: an error queue inherits its endpoint's
/// queue arguments, and a quorum queue with a single active consumer (e.g. <c>place-call_error</c>) refuses
/// <c>basic.get</c>. What is not replayed is handed back by closing the channel, not by a nack, so the broker puts it
/// back in its place and a quorum queue does not count it as a failed delivery.
/// </para>
/// <para>
/// A replay publishes each chosen message to the exchange MassTransit binds to the queue it faulted on (the error
/// queue's name without <c>_error</c>), mandatory and persistent, waits for the broker's confirm and only then
/// acknowledges it in the error queue. A crash in between leaves a copy in both; the consumers apply a message id
/// once, so replaying that copy again changes nothing.
/// </para>
/// </summary>
internal sealed class DeadLetterQueues(BrokerEndpoints broker, IHttpClientFactory http, IOptions<DeadLetterOptions> options)
{
    public const string Suffix = "_error";
    public const string ManagementClient = "rabbitmq-management";

    /// <summary>Every <c>_error</c> queue of the virtual host, by name.</summary>
    public async Task<IReadOnlyList<DeadLetterQueue>> List(CancellationToken cancellationToken)
    {
        var client = http.CreateClient(ManagementClient);
        var queues = await client.GetFromJsonAsync<ManagedQueue[]>($"{broker.QueuesPath}?columns=name,messages", cancellationToken) ?? [];
        return [.. queues
            .Where(q => IsErrorQueue(q.Name))
            .OrderBy(q => q.Name, StringComparer.Ordinal)
            .Select(q => new DeadLetterQueue(q.Name, FaultedOn(q.Name), q.Messages ?? 0))];
    }

    public static bool IsErrorQueue(string queue) => queue.Length > Suffix.Length && queue.EndsWith(Suffix, StringComparison.Ordinal);

    /// <summary>The queue whose faults <paramref name="errorQueue"/> holds.</summary>
    public static string FaultedOn(string errorQueue) => errorQueue[..^Suffix.Length];

    /// <summary>Up to <paramref name="limit"/> messages of the queue, oldest first, left in it; null when there is no such queue.</summary>
    public async Task<IReadOnlyList<DeadLetter>?> Read(string queue, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await Connect(cancellationToken);
        if (await Depth(connection, queue, cancellationToken) is not { } depth)
        {
            return null;
        }

        var read = new List<DeadLetter>();
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await Scan(channel, queue, (int)Math.Min(depth, limit), delivery =>
        {
            read.Add(DeadLetterHeaders.Describe(delivery.MessageId, delivery.ContentType, delivery.Headers, delivery.Body));
            return Task.CompletedTask;
        }, cancellationToken);
        return read;
    }

    /// <summary>
    /// Moves every copy of the chosen messages (all of them when <paramref name="messageIds"/> is null) back to the
    /// queue they faulted on; null when there is no such error queue or no such queue to return to.
    /// </summary>
    public async Task<ReplayOutcome?> Replay(string queue, IReadOnlyCollection<string>? messageIds, CancellationToken cancellationToken)
    {
        await using var connection = await Connect(cancellationToken);
        var target = FaultedOn(queue);
        if (await Depth(connection, queue, cancellationToken) is not { } depth || !await ExchangeExists(connection, target, cancellationToken))
        {
            return null;
        }

        var chosen = messageIds?.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var replayed = new List<string>();
        var moved = 0;
        await using var consuming = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await using var publishing = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        await Scan(consuming, queue, (int)Math.Min(depth, options.Value.MaxScanned), async delivery =>
        {
            if (chosen is not null && (delivery.MessageId is null || !chosen.Contains(delivery.MessageId)))
            {
                return;
            }

            var properties = new BasicProperties
            {
                MessageId = delivery.MessageId,
                ContentType = delivery.ContentType,
                ContentEncoding = delivery.ContentEncoding,
                CorrelationId = delivery.CorrelationId,
                Type = delivery.Type,
                Persistent = true,
                Headers = DeadLetterHeaders.ForReplay(delivery.Headers),
            };
            try
            {
                await publishing.BasicPublishAsync(target, "", mandatory: true, properties, delivery.Body, cancellationToken);
                await consuming.BasicAckAsync(delivery.Tag, multiple: false, cancellationToken);
            }
            catch (Exception ex) when (ex is PublishException or AlreadyClosedException or OperationInterruptedException)
            {
                throw new DeadLetterBrokerException(
                    $"The broker did not take message {delivery.MessageId} back to {target}; it stays in {queue}.", [.. replayed.Distinct()], ex);
            }

            moved++;
            replayed.Add(delivery.MessageId ?? "");
        }, cancellationToken);

        var distinct = replayed.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var notFound = messageIds?.Where(id => !distinct.Contains(id, StringComparer.OrdinalIgnoreCase)).Distinct().ToList() ?? [];
        return new ReplayOutcome(distinct, notFound, moved);
    }

    private async Task<IConnection> Connect(CancellationToken cancellationToken) =>
        await new ConnectionFactory { Uri = broker.Amqp, ClientProvidedName = "voicemesh-gateway-dead-letters" }
            .CreateConnectionAsync(cancellationToken);

    /// <summary>The queue's ready messages now, or null when it does not exist (a passive declare closes its channel then).</summary>
    private static async Task<uint?> Depth(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            return null;
        }
    }

    private static async Task<bool> ExchangeExists(IConnection connection, string exchange, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.ExchangeDeclarePassiveAsync(exchange, cancellationToken);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == Constants.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Hands the first <paramref name="count"/> messages of the queue to <paramref name="visit"/>, in order, holding
    /// each unacknowledged (the visit may acknowledge it); stops early when none arrives within
    /// <see cref="DeadLetterOptions.DeliveryWait"/>. The caller's closing of the channel hands back the rest.
    /// </summary>
    private async Task Scan(IChannel channel, string queue, int count, Func<Delivery, Task> visit, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        var deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, e) =>
        {
            deliveries.Writer.TryWrite(new Delivery(e.DeliveryTag, e.BasicProperties, e.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicQosAsync(0, (ushort)Math.Min(count, ushort.MaxValue), global: false, cancellationToken);
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
        for (var seen = 0; seen < count; seen++)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(options.Value.DeliveryWait);
            Delivery delivery;
            try
            {
                delivery = await deliveries.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return;
            }

            await visit(delivery);
        }
    }

    private sealed record Delivery(ulong Tag, IReadOnlyBasicProperties Properties, byte[] Body)
    {
        public string? MessageId => Properties.MessageId;

        public string? ContentType => Properties.ContentType;

        public string? ContentEncoding => Properties.ContentEncoding;

        public string? CorrelationId => Properties.CorrelationId;

        public string? Type => Properties.Type;

        public IDictionary<string, object?>? Headers => Properties.Headers;
    }

    private sealed record ManagedQueue([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("messages")] long? Messages);
}
