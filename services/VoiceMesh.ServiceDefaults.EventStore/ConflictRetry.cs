namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Decides again, after a few milliseconds, when another writer changed the stream between the read and the append
/// (<see cref="StreamConflictException"/>): a pure decision is cheap to repeat on the new version, where the caller's
/// own retry would cost more (an HTTP request would answer 500; a delivery would run again, with its side effects).
/// The attempt re-reads whatever it decides on. After the last attempt the conflict goes to the caller.
/// </summary>
public static class ConflictRetry
{
    /// <param name="attempt">Reads, decides and stores through the command path; returns what the caller needs from the decision.</param>
    /// <param name="attempts">Attempts in all, the first included.</param>
    /// <param name="clock">Times the pause before each repeat (5 ms times the attempts so far).</param>
    /// <param name="cancellationToken">Ends the pause.</param>
    /// <param name="conflicted">Told of each conflict that is decided again, with the attempt it ended.</param>
    public static async Task<T> Run<T>(
        Func<Task<T>> attempt, int attempts, TimeProvider clock, CancellationToken cancellationToken, Action<int>? conflicted = null)
    {
        for (var tried = 1; ; tried++)
        {
            try
            {
                return await attempt();
            }
            catch (StreamConflictException) when (tried < attempts)
            {
                conflicted?.Invoke(tried);
                await Task.Delay(TimeSpan.FromMilliseconds(5 * tried), clock, cancellationToken);
            }
        }
    }
}
