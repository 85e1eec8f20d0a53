using MassTransit;
using VoiceMesh.Contracts.Numbers;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>Ends a caller-id lease; a lease already ended (a repeat, or expired) changes nothing.</summary>
public sealed class ReleaseCallerIdConsumer(CallerIdLeases leases) : IConsumer<ReleaseCallerId>
{
    public Task Consume(ConsumeContext<ReleaseCallerId> context) => leases.Release(context.Message.LeaseId, context.CancellationToken);
}
