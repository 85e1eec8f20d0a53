using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>
/// Every <see cref="NumberPoolOptions.LifecycleCheckInterval"/>, ends what is due: stores the decision to delete each
/// number whose quarantine ended (the outbox performs it) and puts each number whose reputation cooldown is over back in
/// selection. Safe on every instance at once: the message ids are the same everywhere, so the loser of a race appends
/// nothing.
/// </summary>
public sealed partial class LifecycleTimers(
    IDocumentStore store, StreamCommands commands, IOptions<NumberPoolOptions> options, TimeProvider clock, ILogger<LifecycleTimers> logger)
    : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LifecycleCheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = clock.GetUtcNow();
                await using var session = store.QuerySession();
                var quarantined = await session.Query<Number>()
                    .Where(n => n.State == NumberState.Quarantined && !n.DeletionRequested && n.QuarantineUntil <= now)
                    .Select(n => n.Id)
                    .Take(Batch)
                    .ToListAsync(stoppingToken);
                foreach (var phoneNumber in quarantined)
                {
                    await End(phoneNumber, "quarantine-ended", "The quarantine ended", n => Number.EndQuarantine(n, now), stoppingToken);
                }

                var cooled = await session.Query<Number>()
                    .Where(n => n.State == NumberState.CoolingDown && n.CoolingDownUntil <= now)
                    .Take(Batch)
                    .ToListAsync(stoppingToken);
                foreach (var number in cooled)
                {
                    await End(number.Id, $"cooldown-ended:{number.CoolingDownUntil:O}", "The reputation cooldown ended", n => Number.EndCooldown(n, now), stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(ex);
            }
        }
    }

    private async Task End(string phoneNumber, string messageId, string what, Func<Number?, Decision> decide, CancellationToken cancellationToken)
    {
        try
        {
            if ((await commands.Execute(phoneNumber, messageId, decide, cancellationToken)).Count > 0)
            {
                LogEnded(what, phoneNumber[..Math.Min(5, phoneNumber.Length)]);
            }
        }
        catch (StreamConflictException)
        {
            LogSkipped();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{What}: a number in {Prefix}...")]
    private partial void LogEnded(string what, string prefix);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Another writer changed a number meanwhile; the next run decides again")]
    private partial void LogSkipped();

    [LoggerMessage(Level = LogLevel.Error, Message = "A lifecycle check failed; the next one tries again")]
    private partial void LogRunFailed(Exception exception);
}
