using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Provisioning;
using VoiceMesh.NumberPool.Reputation;
using VoiceMesh.ServiceDefaults;
using Released = VoiceMesh.NumberPool.Lifecycle.NumberReleased;

namespace VoiceMesh.NumberPool.Outbox;

/// <summary>
/// Forwards what the NumberPool service stored to the bus from the event store itself, so a decision leaves if and
/// only if it was stored (at least once; every consumer checks first): the purchases a provisioning plan chose and
/// the deletions ended quarantines call for, as commands; the numbers' outcomes, as events for other services. Runs in
/// the async daemon on one instance at a time (HotCold). The mapping from domain events to messages lives only here.
/// </summary>
public sealed class NumberEventsPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public NumberEventsPublisher(IBus bus)
    {
        _bus = bus;
        Name = "numbers-to-bus";
        IncludeType<ProvisioningPlanned>();
        IncludeType<NumberActivated>();
        IncludeType<NumberProvisioningRefused>();
        IncludeType<NumberDeletionRequested>();
        IncludeType<Released>();
        IncludeType<ReputationDegraded>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // Named by the stored event (and the message's place among those it makes), so a republished page is
        // deduplicated downstream.
        await _bus.PublishPage(
            page.Events.SelectMany(stored => Map(stored).Select((message, i) => new OutboxMessage(message, MessageId(stored.Id, i), stored.StreamKey!))),
            cancellationToken);
        return NullChangeListener.Instance;
    }

    internal static Guid MessageId(Guid eventId, int index)
    {
        Span<byte> bytes = stackalloc byte[16];
        eventId.TryWriteBytes(bytes);
        var tail = BitConverter.ToInt32(bytes[12..]) ^ index;
        BitConverter.TryWriteBytes(bytes[12..], tail);
        return new Guid(bytes);
    }

    internal static IReadOnlyList<object> Map(IEvent stored) => stored.Data switch
    {
        ProvisioningPlanned e => [.. e.Chosen.Select(n => new PurchaseNumber
        {
            RequestId = e.RequestId, PhoneNumber = n, Pool = e.Pool, RequestedBy = e.RequestedBy, OccurredAt = e.PlannedAt,
        })],
        NumberActivated e => [new NumberProvisioned { PhoneNumber = e.PhoneNumber, PhoneNumberSid = e.PhoneNumberSid, Pool = e.Pool, OccurredAt = e.ActivatedAt }],
        NumberProvisioningRefused e => [new NumberProvisioningFailed
        {
            RequestId = e.RequestId, PhoneNumber = e.PhoneNumber, Pool = e.Pool, ErrorCode = e.ErrorCode, ErrorMessage = e.ErrorMessage, OccurredAt = e.RefusedAt,
        }],
        NumberDeletionRequested e => [new DeleteNumberAtTwilio { PhoneNumber = e.PhoneNumber, PhoneNumberSid = e.PhoneNumberSid, OccurredAt = e.RequestedAt }],
        Released e => [new Contracts.Numbers.NumberReleased { PhoneNumber = e.PhoneNumber, PhoneNumberSid = e.PhoneNumberSid, Pool = e.Pool, OccurredAt = e.ReleasedAt }],
        ReputationDegraded e => [new NumberReputationDegraded
        {
            PhoneNumber = e.PhoneNumber, Pool = e.Pool, Calls = e.Evidence.Calls, AnswerRate = e.Evidence.AnswerRate,
            PoolAnswerRate = e.Evidence.PoolAnswerRate, ShortCallRate = e.Evidence.ShortCallRate, AverageTalkSeconds = e.Evidence.AverageTalkSeconds,
            CoolingUntil = e.Until, OccurredAt = e.DegradedAt,
        }],
        _ => [],
    };
}
