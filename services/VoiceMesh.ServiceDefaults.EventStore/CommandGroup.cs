using System.Collections.Concurrent;
using System.Diagnostics;

namespace VoiceMesh.ServiceDefaults;

/// <summary>A command waiting in a <see cref="CommandGroup{T}"/> for the transaction that stores it.</summary>
internal sealed class PendingCommand<T>(string streamId, string? messageId, Func<T?, Decision> decide, ActivityContext caller)
    where T : class
{
    public string StreamId { get; } = streamId;

    public string? MessageId { get; } = messageId;

    public Func<T?, Decision> Decide { get; } = decide;

    /// <summary>The trace context of the message the command comes from; the group's span links to it.</summary>
    public ActivityContext Caller { get; } = caller;

    /// <summary>The events appended, once stored; the command's own failure otherwise.</summary>
    public TaskCompletionSource<IReadOnlyList<object>> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The span of the transaction that stored the command together with others; default when it was stored alone.</summary>
    public ActivityContext StoredBy { get; set; }

    /// <summary>How many commands that transaction stored.</summary>
    public int StoredWith { get; set; } = 1;

    public string? ProcessedKey => MessageId is null ? null : $"{StreamId}/{MessageId}";
}

/// <summary>
/// The commands on streams of one aggregate type that wait to be stored, and the writer's turn: whoever holds it
/// takes every command queued so far and stores them in one transaction (group commit). While one transaction
/// commits, the commands arriving meanwhile queue up and go together in the next; a command that arrives alone is
/// stored alone, at once.
/// </summary>
internal sealed class CommandGroup<T> : IDisposable
    where T : class
{
    private readonly ConcurrentQueue<PendingCommand<T>> _queue = new();

    public SemaphoreSlim Turn { get; } = new(1, 1);

    public void Enqueue(PendingCommand<T> command) => _queue.Enqueue(command);

    /// <summary>Takes up to <paramref name="limit"/> queued commands, oldest first.</summary>
    public List<PendingCommand<T>> Take(int limit)
    {
        var taken = new List<PendingCommand<T>>();
        while (taken.Count < limit && _queue.TryDequeue(out var command))
        {
            taken.Add(command);
        }

        return taken;
    }

    /// <summary>
    /// Splits commands into rounds of distinct streams, keeping each stream's commands in arrival order: a stream's
    /// second command is decided on the state its first one left, after that round is stored.
    /// </summary>
    public static List<List<PendingCommand<T>>> Rounds(IEnumerable<PendingCommand<T>> commands)
    {
        var rounds = new List<List<PendingCommand<T>>>();
        var next = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var command in commands)
        {
            var round = next.GetValueOrDefault(command.StreamId);
            if (round == rounds.Count)
            {
                rounds.Add([]);
            }

            rounds[round].Add(command);
            next[command.StreamId] = round + 1;
        }

        return rounds;
    }

    public void Dispose() => Turn.Dispose();
}
