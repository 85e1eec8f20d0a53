using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using VoiceMesh.Contracts.Numbers;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Caller ids leased from the NumberPool service over the bus (<see cref="AcquireCallerId"/>, answered with
/// <see cref="CallerIdAcquired"/> or <see cref="CallerIdUnavailable"/>), for the calls and dials that name a pool instead
/// of a From. The lease of a call that was stored ends from that service's event store; this ends only a lease that no
/// stored decision holds.
/// </summary>
public sealed class PooledCallerIds(IRequestClient<AcquireCallerId> client, IPublishEndpoint bus, TimeProvider clock)
{
    /// <summary>
    /// Leases a caller id from <paramref name="pool"/> for a call to <paramref name="destination"/>; or says why the pool
    /// lent none. NumberPool not answering in time throws <see cref="CallerIdPoolUnavailableException"/>, an outage the
    /// endpoint's retry policy holds the message through, so an accepted request waits for NumberPool instead of failing.
    /// </summary>
    public async Task<(CallerIdAcquired? Lease, string? Refusal)> Acquire(
        string requestId, string pool, string destination, CancellationToken cancellationToken)
    {
        Response<CallerIdAcquired, CallerIdUnavailable> response;
        try
        {
            response = await client.GetResponse<CallerIdAcquired, CallerIdUnavailable>(new AcquireCallerId
            {
                RequestId = requestId,
                Pool = pool,
                Destination = destination,
                OccurredAt = clock.GetUtcNow(),
            }, cancellationToken);
        }
        catch (RequestTimeoutException)
        {
            throw new CallerIdPoolUnavailableException(pool);
        }

        if (response.Is(out Response<CallerIdAcquired>? acquired))
        {
            return (acquired.Message, null);
        }

        var unavailable = response.Is(out Response<CallerIdUnavailable>? refused) ? refused.Message : null;
        return (null, $"Pool {pool} lent no caller id: {unavailable?.Reason} ({unavailable?.Detail}).");
    }

    /// <summary>Ends a lease no stored decision holds (the request was refused or applied already after it was leased).</summary>
    public Task Release(Guid leaseId, CancellationToken cancellationToken) =>
        bus.Publish(new ReleaseCallerId { LeaseId = leaseId, OccurredAt = clock.GetUtcNow() }, cancellationToken);
}

/// <summary>NumberPool did not answer an <see cref="AcquireCallerId"/> in time: held and tried again, as an outage.</summary>
public sealed class CallerIdPoolUnavailableException(string pool)
    : WorkInProgressException($"NumberPool did not answer for a caller id from pool {pool}; the request is held until it does.");

/// <summary>Registration of <see cref="PooledCallerIds"/>.</summary>
public static class PooledCallerIdsExtensions
{
    public static IServiceCollection AddPooledCallerIds(this IServiceCollection services) => services.AddScoped<PooledCallerIds>();
}
