using MassTransit;

namespace VoiceMesh.ServiceDefaults;

/// <summary>A message an outbox forwards, named by the stored event it comes from so a republished page is deduplicated downstream.</summary>
public readonly record struct OutboxMessage(object Message, Guid MessageId);

/// <summary>How an outbox subscription hands one page of stored events to the bus.</summary>
public static class OutboxPagePublishing
{
    /// <summary>
    /// Publishes every message of a page at once and returns when the broker has confirmed them all, so a page costs
    /// one confirm round trip rather than one per message. A failed publish fails the page, which the async daemon
    /// retries from its last checkpoint (at least once, as before). Messages of one page may reach the broker in any
    /// order; consumers never relied on it, since competing consumers reorder them anyway.
    /// </summary>
    public static Task PublishPage(this IPublishEndpoint bus, IEnumerable<OutboxMessage> messages, CancellationToken cancellationToken) =>
        Task.WhenAll(messages.Select(m => bus.Publish(m.Message, m.Message.GetType(), p => p.MessageId = m.MessageId, cancellationToken)));
}
