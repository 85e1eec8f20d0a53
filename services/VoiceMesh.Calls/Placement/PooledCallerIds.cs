using MassTransit;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Contracts.Numbers;

namespace VoiceMesh.Calls.Placement;

/// <summary>
/// Caller ids leased from the NumberPool service over the bus (<see cref="AcquireCallerId"/>, answered with
/// <see cref="CallerIdAcquired"/> or <see cref="CallerIdUnavailable"/>), for PlaceCalls that name a pool instead of a From.
/// </summary>
public sealed class PooledCallerIds(IRequestClient<AcquireCallerId> client, IPublishEndpoint bus, TimeProvider clock)
{
    /// <summary>Leases a caller id local to <paramref name="command"/>'s destination; or why the pool lent none.</summary>
    public async Task<(CallerIdAcquired? Lease, PlaceCallViolation? Refusal)> Acquire(PlaceCall command, string pool, CancellationToken cancellationToken)
    {
        var response = await client.GetResponse<CallerIdAcquired, CallerIdUnavailable>(new AcquireCallerId
        {
            RequestId = command.RequestId,
            Pool = pool,
            Destination = command.To,
            OccurredAt = clock.GetUtcNow(),
        }, cancellationToken);
        if (response.Is(out Response<CallerIdAcquired>? acquired))
        {
            return (acquired.Message, null);
        }

        var unavailable = response.Is(out Response<CallerIdUnavailable>? refused) ? refused.Message : null;
        return (null, new PlaceCallViolation(
            nameof(PlaceCall.CallerIdPool), $"Pool {pool} lent no caller id: {unavailable?.Reason} ({unavailable?.Detail})."));
    }

    /// <summary>Ends a lease no placement was stored with (another delivery of the request stored its own first).</summary>
    public Task Release(Guid leaseId, CancellationToken cancellationToken) =>
        bus.Publish(new ReleaseCallerId { LeaseId = leaseId, OccurredAt = clock.GetUtcNow() }, cancellationToken);
}
