using Microsoft.Extensions.Options;

namespace VoiceMesh.Calls.Costs;

/// <summary>Runs <see cref="CallPricer"/> every <see cref="PricingOptions.Interval"/>.</summary>
public sealed partial class PricingWorker(
    IServiceScopeFactory scopes, IOptions<PricingOptions> options, TimeProvider clock, ILogger<PricingWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<CallPricer>().RunOnce(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A pricing run failed; the next one tries again")]
    private partial void LogRunFailed(Exception exception);
}
