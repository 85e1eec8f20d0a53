using Microsoft.Extensions.Logging;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Performs what a just-committed decision asks for at once, in the writer's own flow, instead of waiting for the
/// outbox. The outbox (the service's subscription in the async daemon) performs the same stored events from the event
/// store and stays the guarantee: a failure here (Twilio 5xx after the HTTP retries, a network error, an open circuit)
/// is logged and left to it, never thrown at a writer whose decision is committed, and a crash here loses nothing.
/// So a performer fed by the outbox must find a repeat harmless (read the target's state first) and skip a copy that
/// a newer stored decision overtook.
/// </summary>
public sealed partial class AfterCommit(ILogger<AfterCommit> logger)
{
    /// <summary>Performs each stored <typeparamref name="TEvent"/> in order; returns how many were performed.</summary>
    /// <param name="stored">What <see cref="StreamCommands.Execute{T}"/> appended (nothing when the command changed nothing).</param>
    /// <param name="perform">The side effect, e.g. a Twilio request, for one stored event.</param>
    /// <param name="cancellationToken">Cancels the remaining performances (the outbox performs them).</param>
    public async Task<int> Perform<TEvent>(IReadOnlyList<object> stored, Func<TEvent, Task> perform, CancellationToken cancellationToken)
    {
        var performed = 0;
        foreach (var decision in stored.OfType<TEvent>())
        {
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await perform(decision);
                performed++;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogLeftToOutbox(ex, typeof(TEvent).Name);
            }
        }

        return performed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A stored {Decision} could not be performed at once; the outbox performs it")]
    private partial void LogLeftToOutbox(Exception exception, string decision);
}
