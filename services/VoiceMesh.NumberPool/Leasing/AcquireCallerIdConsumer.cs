using MassTransit;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.NumberPool.Pools;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>Answers an <see cref="AcquireCallerId"/> request with a lease or the reason there is none.</summary>
public sealed partial class AcquireCallerIdConsumer(
    CallerIdLeases leases, NumberPoolMetrics metrics, IOptions<NumberPoolOptions> options, TimeProvider clock,
    ILogger<AcquireCallerIdConsumer> logger)
    : IConsumer<AcquireCallerId>
{
    public async Task Consume(ConsumeContext<AcquireCallerId> context)
    {
        var request = context.Message;
        Acquisition acquisition;
        if (Pool.IsValidName(request.Pool))
        {
            acquisition = await leases.Acquire(request.Pool, request.Destination, request.CallSid, options.Value.LeaseDuration, context.CancellationToken);
        }
        else
        {
            acquisition = Acquisition.Unavailable(Unavailability.UnknownPool, Pool.NameDescription);
            metrics.Acquisition(request.Pool, acquisition.Reason);
        }

        if (acquisition.Lease is { } lease)
        {
            await context.RespondAsync(new CallerIdAcquired
            {
                RequestId = request.RequestId,
                LeaseId = lease.LeaseId,
                CallerId = lease.CallerId,
                Match = lease.Match.ToWire(),
                ExpiresAt = lease.ExpiresAt,
                OccurredAt = clock.GetUtcNow(),
            });
            return;
        }

        LogUnavailable(request.RequestId, request.Pool, acquisition.Reason!.Value, acquisition.Detail!);
        await context.RespondAsync(new CallerIdUnavailable
        {
            RequestId = request.RequestId,
            Reason = acquisition.Reason.Value.ToWire(),
            Detail = acquisition.Detail!,
            OccurredAt = clock.GetUtcNow(),
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No caller id for request {RequestId} from pool {Pool}: {Reason} ({Detail})")]
    private partial void LogUnavailable(string requestId, string pool, Unavailability reason, string detail);
}
