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
/// </summary>
public sealed class StreamCommands(IDocumentStore store, ReadModelRebuilder readModels)
{
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
        // The stream has events but its read model has no document (emptied for a rebuild, or lost): rebuild it from
        // the events, under the stream's lock, and decide on the rebuilt state, so no decision takes it for a new stream.
        if (stream.Aggregate is null && stream.StartingVersion > 0 && readModels.IsReadModel(typeof(T))
            && await readModels.Heal(typeof(T), streamId, cancellationToken))
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
        catch (Exception ex) when (messageId is not null && Find<JasperFx.DocumentAlreadyExistsException>(ex) is { DocType: var type } && type == typeof(ProcessedMessage))
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
        || Find<JasperFx.DocumentAlreadyExistsException>(exception) is { DocType: var type } && type != typeof(ProcessedMessage)
        || Find<Npgsql.PostgresException>(exception) is { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation, ConstraintName: { } constraint }
            && EventStoreKeys.Contains(constraint, StringComparer.Ordinal);

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
