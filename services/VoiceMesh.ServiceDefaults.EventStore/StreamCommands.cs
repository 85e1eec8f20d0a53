using System.Collections.Concurrent;
using System.Diagnostics;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using VoiceMesh.ServiceDefaults.ReadModels;

namespace VoiceMesh.ServiceDefaults;

/// <summary>A message a stream has applied, so a redelivery of it changes nothing. Id: <c>{streamId}/{messageId}</c>.</summary>
public sealed record ProcessedMessage(string Id);

/// <summary>What a decision appends to the decided stream; nothing when the command changes nothing.</summary>
public sealed record Decision(IReadOnlyList<object> Events)
{
    public static readonly Decision None = new([]);

    public static implicit operator Decision(object[] events) => new((IReadOnlyList<object>)events);
}

/// <summary>Another writer appended to, or started, the stream after it was read. The retry policy tries again.</summary>
public sealed class StreamConflictException(string streamId, Exception inner)
    : Exception($"Stream {streamId} changed while a command was decided on it.", inner)
{
    public string StreamId { get; } = streamId;
}

/// <summary>
/// The one command path for event-sourced streams: load the stream for writing, let the aggregate decide (a pure
/// function of its state), append what it decided together with the message id, and save in one transaction.
/// A message id the stream has applied already appends nothing; a stream changed meanwhile throws
/// <see cref="StreamConflictException"/>, which the endpoint's retry policy retries on the new version.
/// High-volume consumers use <see cref="ExecuteGrouped{T}"/>: the same path, with the commands that arrive together
/// stored in one transaction.
/// </summary>
public sealed class StreamCommands(IDocumentStore store, ReadModelRebuilder readModels) : IDisposable
{
    /// <summary>The most commands one grouped transaction stores.</summary>
    public const int MaxGroup = 500;

    /// <summary>How often a group that met a conflict is read and decided again before its commands go one by one.</summary>
    private const int GroupAttempts = 3;

    private readonly ConcurrentDictionary<Type, IDisposable> _groups = new();
    private readonly ActivitySource _activities = new(VoiceMeshTelemetry.Name);

    /// <summary>Decides on <paramref name="streamId"/> and stores the outcome; returns the events appended to it.</summary>
    /// <param name="streamId">The stream, e.g. a CallSid.</param>
    /// <param name="messageId">The message being applied; null when the decision itself is idempotent.</param>
    /// <param name="decide">The aggregate's decision, given its current state (null for a new stream).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public async Task<IReadOnlyList<object>> Execute<T>(
        string streamId, string? messageId, Func<T?, Decision> decide, CancellationToken cancellationToken)
        where T : class
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<T>(streamId, cancellationToken);
        // Decide on the rebuilt state, so no decision takes a stream with events for a new one.
        if (NeedsHeal(stream) && await readModels.Heal(typeof(T), streamId, cancellationToken))
        {
            return await Execute(streamId, messageId, decide, cancellationToken);
        }

        var decision = decide(stream.Aggregate);
        if (decision.Events.Count == 0)
        {
            return [];
        }

        if (messageId is not null)
        {
            session.Insert(new ProcessedMessage($"{streamId}/{messageId}"));
        }

        stream.AppendMany(decision.Events);

        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (messageId is not null && IsDuplicateMessage(ex))
        {
            return [];
        }
        catch (Exception ex) when (IsConflict(ex))
        {
            throw new StreamConflictException(streamId, ex);
        }
        catch (Exception ex)
        {
            KeepSerializable(ex);
            throw;
        }

        return decision.Events;
    }

    /// <summary>
    /// <see cref="Execute{T}"/> with group commit: the commands that wait while another transaction of this aggregate
    /// type commits are stored together, in one transaction, with one read of all their streams (rounds of distinct
    /// streams; a stream's later command is decided on what its earlier one stored). The outcome of each command is
    /// what <see cref="Execute{T}"/> would give it: its events; nothing for a message its stream applied already
    /// (checked before deciding, and by the unique key of the processed message when another instance stores it at
    /// the same moment); its own decision's exception. A group that meets a conflict is read and decided again; after
    /// <see cref="GroupAttempts"/> tries, or on any other failure, its commands are executed one by one, so one bad
    /// command fails alone and reaches its endpoint's retry policy and <c>_error</c> queue by itself.
    /// </summary>
    public async Task<IReadOnlyList<object>> ExecuteGrouped<T>(
        string streamId, string? messageId, Func<T?, Decision> decide, CancellationToken cancellationToken)
        where T : class
    {
        var group = (CommandGroup<T>)_groups.GetOrAdd(typeof(T), _ => new CommandGroup<T>());
        var command = new PendingCommand<T>(streamId, messageId, decide, Activity.Current?.Context ?? default);
        group.Enqueue(command);
        while (!command.Outcome.Task.IsCompleted)
        {
            await group.Turn.WaitAsync(cancellationToken);
            try
            {
                if (!command.Outcome.Task.IsCompleted)
                {
                    // Stored whatever becomes of this caller: the others in the group wait for it.
                    await StoreGroup(group.Take(MaxGroup), CancellationToken.None);
                }
            }
            finally
            {
                group.Turn.Release();
            }
        }

        var appended = await command.Outcome.Task;
        if (command.StoredWith > 1 && Activity.Current is { } current)
        {
            current.SetTag("voicemesh.command.group_size", command.StoredWith);
            current.AddLink(new ActivityLink(command.StoredBy));
        }

        return appended;
    }

    private async Task StoreGroup<T>(List<PendingCommand<T>> commands, CancellationToken cancellationToken)
        where T : class
    {
        if (commands.Count == 1)
        {
            await Complete(commands[0], cancellationToken);
            return;
        }

        // Many messages, one transaction: its span starts a trace of its own, linked to each message's (the change of
        // the current activity stays within this method's flow).
        Activity.Current = null;
        using var activity = _activities.StartActivity(
            $"store {typeof(T).Name} commands", ActivityKind.Internal, default(ActivityContext),
            links: commands.Where(c => c.Caller != default).Select(c => new ActivityLink(c.Caller)));
        activity?.SetTag("voicemesh.command.group_size", commands.Count);
        foreach (var command in commands)
        {
            command.StoredBy = activity?.Context ?? default;
            command.StoredWith = commands.Count;
        }

        foreach (var round in CommandGroup<T>.Rounds(commands))
        {
            await StoreRound(round, cancellationToken);
        }
    }

    /// <summary>Stores commands on distinct streams in one transaction; one by one when that keeps failing.</summary>
    private async Task StoreRound<T>(List<PendingCommand<T>> round, CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 1; attempt <= GroupAttempts; attempt++)
        {
            var pending = round.Where(c => !c.Outcome.Task.IsCompleted).ToList();
            if (pending.Count == 0)
            {
                return;
            }

            try
            {
                await TryStoreRound(pending, cancellationToken);
                return;
            }
            catch (Exception ex) when (IsConflict(ex) || IsDuplicateMessage(ex))
            {
                // Another instance wrote one of these streams, or applied one of these messages: read them again.
            }
            catch (Exception)
            {
                break;
            }
        }

        await Task.WhenAll(round.Where(c => !c.Outcome.Task.IsCompleted).Select(c => Complete(c, cancellationToken)));
    }

    private async Task TryStoreRound<T>(List<PendingCommand<T>> round, CancellationToken cancellationToken)
        where T : class
    {
        await using var session = store.LightweightSession();
        var batch = session.CreateBatchQuery();
        var fetches = round.Select(c => batch.Events.FetchForWriting<T>(c.StreamId)).ToList();
        var keys = round.Select(c => c.ProcessedKey).OfType<string>().ToArray();
        var processedQuery = batch.LoadMany<ProcessedMessage>().ById(keys);
        await batch.Execute(cancellationToken);
        var processed = (await processedQuery).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);

        var stored = new List<(PendingCommand<T> Command, IReadOnlyList<object> Events)>();
        var alone = new List<PendingCommand<T>>();
        for (var i = 0; i < round.Count; i++)
        {
            var command = round[i];
            var stream = await fetches[i];
            if (command.ProcessedKey is { } key && processed.Contains(key))
            {
                command.Outcome.TrySetResult([]);
                continue;
            }

            if (NeedsHeal(stream))
            {
                // Its read model has no document: Execute rebuilds it under the stream's lock first.
                alone.Add(command);
                continue;
            }

            Decision decision;
            try
            {
                decision = command.Decide(stream.Aggregate);
            }
            catch (Exception ex)
            {
                command.Outcome.TrySetException(ex);
                continue;
            }

            if (decision.Events.Count == 0)
            {
                command.Outcome.TrySetResult([]);
                continue;
            }

            if (command.ProcessedKey is { } processedKey)
            {
                session.Insert(new ProcessedMessage(processedKey));
            }

            stream.AppendMany(decision.Events);
            stored.Add((command, decision.Events));
        }

        if (stored.Count > 0)
        {
            await session.SaveChangesAsync(cancellationToken);
            foreach (var (command, events) in stored)
            {
                command.Outcome.TrySetResult(events);
            }
        }

        await Task.WhenAll(alone.Select(c => Complete(c, cancellationToken)));
    }

    /// <summary>Executes one command on its own and hands its outcome, or its failure, to its caller.</summary>
    private async Task Complete<T>(PendingCommand<T> command, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            command.Outcome.TrySetResult(await Execute(command.StreamId, command.MessageId, command.Decide, cancellationToken));
        }
        catch (Exception ex)
        {
            command.Outcome.TrySetException(ex);
        }
    }

    public void Dispose()
    {
        foreach (var group in _groups.Values)
        {
            group.Dispose();
        }

        _activities.Dispose();
    }

    /// <summary>Reads a stream's current state without writing.</summary>
    public async Task<T?> Load<T>(string id, CancellationToken cancellationToken)
        where T : class
    {
        await using var query = store.QuerySession();
        return await query.LoadAsync<T>(id, cancellationToken);
    }

    /// <summary>
    /// Marten's conflict signals: a version check that failed, a new stream someone else started first (or the new
    /// aggregate's snapshot document someone else inserted first), and the same races as PostgreSQL's unique
    /// violation on Marten's stream or event keys. A message id stored already is not a conflict but a duplicate.
    /// </summary>
    internal static bool IsConflict(Exception exception) =>
        Find<EventStreamUnexpectedMaxEventIdException>(exception) is not null
        || Find<Marten.Exceptions.ExistingStreamIdCollisionException>(exception) is not null
        || Find<JasperFx.Events.ExistingStreamIdCollisionException>(exception) is not null
        || Find<StreamConflictException>(exception) is not null
        || Find<JasperFx.DocumentAlreadyExistsException>(exception) is { } exists && exists.DocType != typeof(ProcessedMessage)
        || Find<Npgsql.PostgresException>(exception) is { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation, ConstraintName: { } constraint }
            && EventStoreKeys.Contains(constraint, StringComparer.Ordinal);

    /// <summary>
    /// The stream has events but its read model has no document (emptied for a rebuild, or lost): it is rebuilt from
    /// the events under the stream's lock before anything is decided on it.
    /// </summary>
    private bool NeedsHeal<T>(IEventStream<T> stream)
        where T : class =>
        stream.Aggregate is null && stream.StartingVersion > 0 && readModels.IsReadModel(typeof(T));

    /// <summary>The message's <see cref="ProcessedMessage"/> is stored already: it was applied before.</summary>
    private static bool IsDuplicateMessage(Exception exception) =>
        Find<JasperFx.DocumentAlreadyExistsException>(exception) is { } exists && exists.DocType == typeof(ProcessedMessage);

    /// <summary>Marten's primary keys of streams and of events per stream version.</summary>
    private static readonly string[] EventStoreKeys = ["pkey_mt_streams_id", "pk_mt_events_stream_and_version"];

    /// <summary>
    /// Npgsql and Marten hang driver objects on <see cref="Exception.Data"/>, which a fault message cannot carry: they
    /// become their text, so a message that fails for good still reaches <c>_error</c> with its real exception.
    /// </summary>
    private static void KeepSerializable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            foreach (var key in exception.Data.Keys.Cast<object>().ToList())
            {
                if (exception.Data[key] is { } value and not (string or ValueType))
                {
                    exception.Data[key] = value.ToString();
                }
            }
        }
    }

    private static TException? Find<TException>(Exception? exception)
        where TException : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is TException found)
            {
                return found;
            }
        }

        return null;
    }
}
