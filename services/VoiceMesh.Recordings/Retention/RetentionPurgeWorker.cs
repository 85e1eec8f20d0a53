using Microsoft.Extensions.Options;

namespace VoiceMesh.Recordings.Retention;

/// <summary>Runs <see cref="RetentionPurge"/> every <see cref="RetentionOptions.PurgeInterval"/> on the injected <see cref="TimeProvider"/>.</summary>
public sealed partial class RetentionPurgeWorker(
    IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionPurgeWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<RetentionPurge>().RunOnce(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A purge run failed; the next one tries again")]
    private partial void LogRunFailed(Exception exception);
}
