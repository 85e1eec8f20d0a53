using MassTransit;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// A message an outbox forwards: named by the stored event it comes from, so a republished page is deduplicated
/// downstream, and keyed by that event's stream, whose order it keeps.
/// </summary>
public readonly record struct OutboxMessage(object Message, Guid MessageId, string Stream);

/// <summary>How an outbox subscription hands one page of stored events to the bus.</summary>
public static class OutboxPagePublishing
{
    /// <summary>
    /// Publishes a page stream by stream: the streams at once, each stream's messages in their stored order (the next
    /// after the broker confirmed the one before, so a stream's digits, statuses or steps reach consumers in order);
    /// returns when every message was confirmed. A page of many streams (a burst of recordings, calls or rooms) costs
    /// about one confirm round trip per message of its busiest stream rather than one per message. A failed publish
    /// fails the page, which the async daemon retries from its last checkpoint (at least once, as before).
    /// </summary>
    public static Task PublishPage(this IPublishEndpoint bus, IEnumerable<OutboxMessage> messages, CancellationToken cancellationToken) =>
        Task.WhenAll(messages.GroupBy(m => m.Stream, StringComparer.Ordinal).Select(async stream =>
        {
            foreach (var m in stream)
            {
                await bus.Publish(m.Message, m.Message.GetType(), p => p.MessageId = m.MessageId, cancellationToken);
            }
        }));
}
