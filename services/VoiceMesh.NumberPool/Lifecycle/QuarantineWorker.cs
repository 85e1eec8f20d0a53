using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>
/// Every <see cref="NumberPoolOptions.QuarantineCheckInterval"/>, stores the decision to delete each number whose
/// quarantine ended (the outbox performs it). Safe on every instance at once: the message id is the same everywhere,
/// so the loser of a race appends nothing.
/// </summary>
public sealed partial class QuarantineWorker(
    IDocumentStore store, StreamCommands commands, IOptions<NumberPoolOptions> options, TimeProvider clock, ILogger<QuarantineWorker> logger)
    : BackgroundService
{
    private const string MessageId = "quarantine-ended";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.QuarantineCheckInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = clock.GetUtcNow();
                await using var session = store.QuerySession();
                var due = await session.Query<Number>()
                    .Where(n => n.State == NumberState.Quarantined && !n.DeletionRequested && n.QuarantineUntil <= now)
                    .Select(n => n.Id)
                    .Take(100)
                    .ToListAsync(stoppingToken);
                foreach (var phoneNumber in due)
                {
                    await End(phoneNumber, now, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunFailed(ex);
            }
        }
    }

    private async Task End(string phoneNumber, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            if ((await commands.Execute<Number>(phoneNumber, MessageId, n => Number.EndQuarantine(n, now), cancellationToken)).Count > 0)
            {
                LogQuarantineEnded(phoneNumber[..Math.Min(5, phoneNumber.Length)]);
            }
        }
        catch (StreamConflictException)
        {
            LogSkipped();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The quarantine of a number in {Prefix}... ended; it is to be deleted at Twilio")]
    private partial void LogQuarantineEnded(string prefix);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Another writer changed a quarantined number meanwhile; the next run decides again")]
    private partial void LogSkipped();

    [LoggerMessage(Level = LogLevel.Error, Message = "A quarantine check failed; the next one tries again")]
    private partial void LogRunFailed(Exception exception);
}
