using Microsoft.Extensions.Options;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>Ends leases never released, every <see cref="NumberPoolOptions.LeaseSweepInterval"/>; safe on every instance at once.</summary>
public sealed partial class LeaseSweeper(CallerIdLeases leases, IOptions<NumberPoolOptions> options, TimeProvider clock, ILogger<LeaseSweeper> logger)
    : BackgroundService
{
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LeaseSweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                int expired;
                do
                {
                    expired = await leases.ExpireDue(Batch, stoppingToken);
                    if (expired > 0)
                    {
                        LogExpired(expired);
                    }
                }
                while (expired == Batch);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ended {Count} caller-id leases that expired unreleased")]
    private partial void LogExpired(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "A lease sweep failed; the next one tries again")]
    private partial void LogSweepFailed(Exception exception);
}
