using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// A job a service runs on a timer (reconciliation, pricing, retention): every <c>interval</c> of the injected
/// <see cref="TimeProvider"/> it resolves <typeparamref name="TJob"/> in a DI scope of its own and runs it once; a
/// failed run is logged and the next tick tries again. Register it with <see cref="PeriodicJobs.AddPeriodicJob{TJob}"/>.
/// </summary>
public sealed partial class PeriodicRunner<TJob>(
    IServiceScopeFactory scopes, TimeSpan interval, Func<TJob, CancellationToken, Task> run, TimeProvider clock, ILogger<PeriodicRunner<TJob>> logger)
    : BackgroundService
    where TJob : notnull
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await run(scope.ServiceProvider.GetRequiredService<TJob>(), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(ex, typeof(TJob).Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A {Job} run failed; the next one tries again")]
    private partial void LogRunFailed(Exception exception, string job);
}

/// <summary>Registers jobs run on a timer (<see cref="PeriodicRunner{TJob}"/>).</summary>
public static class PeriodicJobs
{
    /// <summary>
    /// Adds <typeparamref name="TJob"/> as a scoped service and runs <paramref name="run"/> on it every
    /// <paramref name="interval"/> (read from the container, e.g. the slice's options, when the host starts).
    /// </summary>
    public static IServiceCollection AddPeriodicJob<TJob>(
        this IServiceCollection services, Func<IServiceProvider, TimeSpan> interval, Func<TJob, CancellationToken, Task> run)
        where TJob : class
    {
        services.AddScoped<TJob>();
        return services.AddHostedService(provider => new PeriodicRunner<TJob>(
            provider.GetRequiredService<IServiceScopeFactory>(),
            interval(provider),
            run,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<PeriodicRunner<TJob>>>()));
    }
}
