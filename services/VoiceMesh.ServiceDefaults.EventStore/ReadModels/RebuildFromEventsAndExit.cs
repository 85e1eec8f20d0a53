using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace VoiceMesh.ServiceDefaults.ReadModels;

/// <summary>
/// The one-shot mode of a service (<c>EventStore__RebuildFromEventsAndExit=true</c>), for a restored database nothing
/// else writes to: empties every read model's table, rebuilds it from the events alone through
/// <see cref="ReadModelRebuilder"/>, then stops the process (exit code 0, or 1 when the rebuild failed). It is registered
/// with the event store, before the bus and the outbox, so the rebuild is done before they start; they start and stop
/// again right after it, so run it with the broker and Twilio pointed at addresses nobody listens on.
/// </summary>
internal sealed partial class RebuildFromEventsAndExit(
    ReadModelRebuilder rebuilder, IHostApplicationLifetime lifetime, ILogger<RebuildFromEventsAndExit> logger) : IHostedService
{
    public const string Setting = "EventStore:RebuildFromEventsAndExit";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var results = await rebuilder.Rebuild(rebuilder.ReadModels, fromEmpty: true, cancellationToken);
            var streams = results.Sum(r => r.Streams);
            LogDone(results.Count, streams);
            Environment.ExitCode = 0;
        }
        catch (Exception ex)
        {
            LogFailed(ex);
            Environment.ExitCode = 1;
        }

        // Stopping while the host starts would fail its start (an unhandled exception, exit 134): stop once started.
        lifetime.ApplicationStarted.Register(lifetime.StopApplication);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt {ReadModels} read models from the events of {Streams} streams; stopping")]
    private partial void LogDone(int readModels, int streams);

    [LoggerMessage(Level = LogLevel.Error, Message = "The rebuild of the read models from events failed; stopping")]
    private partial void LogFailed(Exception exception);
}
