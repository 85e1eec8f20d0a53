using Microsoft.Extensions.Options;

namespace VoiceMesh.Calls.Reconciliation;

/// <summary>Runs <see cref="CallReconciler"/> every <see cref="ReconciliationOptions.Interval"/>.</summary>
public sealed partial class ReconciliationWorker(
    IServiceScopeFactory scopes, IOptions<ReconciliationOptions> options, TimeProvider clock, ILogger<ReconciliationWorker> logger)
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
                await scope.ServiceProvider.GetRequiredService<CallReconciler>().RunOnce(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A reconciliation run failed; the next one tries again")]
    private partial void LogRunFailed(Exception exception);
}
