using MassTransit;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.Contracts.Numbers;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>
/// Caller ids leased from the NumberPool service over the bus (<see cref="AcquireCallerId"/> answered with
/// <see cref="CallerIdAcquired"/> or <see cref="CallerIdUnavailable"/>), for dials that name a pool instead of a From.
/// </summary>
public sealed class PooledCallerIds(IRequestClient<AcquireCallerId> client, IPublishEndpoint bus, TimeProvider clock)
{
    /// <summary>Leases a caller id for <paramref name="command"/>'s destination; or why the pool lent none.</summary>
    public async Task<(CallerIdAcquired? Lease, CommandRejection? Rejection)> Acquire(AddParticipant command, string pool, CancellationToken cancellationToken)
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
        return (null, new CommandRejection(ConferenceRejection.CallerIdUnavailable, "CallerIdPool",
            $"Pool {pool} lent no caller id: {unavailable?.Reason} ({unavailable?.Detail})."));
    }

    /// <summary>Ends a lease no dial was stored for (the room refused it, or the request was applied already).</summary>
    public Task Release(Guid leaseId, CancellationToken cancellationToken) =>
        bus.Publish(new ReleaseCallerId { LeaseId = leaseId, OccurredAt = clock.GetUtcNow() }, cancellationToken);
}
