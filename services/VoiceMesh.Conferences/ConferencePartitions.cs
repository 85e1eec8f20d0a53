using System.Text;
using MassTransit;
using MassTransit.Middleware;

namespace VoiceMesh.Conferences;

/// <summary>
/// One conference's messages, one at a time per instance, whatever queue they come from: its callbacks, the
/// moderator's commands and the outbox's performers share these partitions (by ConferenceSid), so on one instance a
/// command never conflicts with the room's callbacks on its stream, a later command cannot overtake an earlier one, and
/// an outbox copy is never performed while the command it copies is. Different rooms run in parallel.
/// </summary>
public sealed class ConferencePartitions : IAsyncDisposable
{
    /// <summary>Rooms handled in parallel per instance.</summary>
    public const int Count = 16;

    private readonly Partitioner _partitioner = new Partitioner(Count, new Murmur3UnsafeHashGenerator());

    /// <summary>Consumes <typeparamref name="TMessage"/> in the partition of the conference <paramref name="conferenceSid"/> names.</summary>
    public void Apply<TMessage>(IConsumerMessageConfigurator<TMessage> message, Func<TMessage, string> conferenceSid)
        where TMessage : class =>
        message.UsePartitioner(_partitioner, c => conferenceSid(c.Message), Encoding.UTF8);

    public ValueTask DisposeAsync() => _partitioner.DisposeAsync();
}

internal static class ConferencePartitioning
{
    /// <summary>Registers a consumer whose message is consumed in its conference's partition (<see cref="ConferencePartitions"/>).</summary>
    public static void AddByConference<TConsumer, TMessage>(this IRegistrationConfigurator x, Func<TMessage, string> conferenceSid)
        where TConsumer : class, IConsumer<TMessage>
        where TMessage : class =>
        x.AddConsumer<TConsumer>((context, consumer) =>
            consumer.Message<TMessage>(m => context.GetRequiredService<ConferencePartitions>().Apply(m, conferenceSid)));
}
