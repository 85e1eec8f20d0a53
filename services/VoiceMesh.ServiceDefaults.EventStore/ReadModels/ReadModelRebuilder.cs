using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace VoiceMesh.ServiceDefaults.ReadModels;

/// <summary>An inline snapshot the service registered with Marten: one document per stream, named by its document type.</summary>
public sealed record ReadModel(string Name, Type DocumentType, string Table, IReadOnlyList<string> EventTypeNames);

/// <summary>What a rebuild (or a verification) of one read model did.</summary>
public sealed record ReadModelRebuildResult(string ReadModel, int Streams, int Stored, int Deleted, int Mismatched, IReadOnlyList<string> MismatchedStreams, double Seconds);

/// <summary>
/// Rebuilds a service's read models (its inline snapshots) from its event store while the service keeps appending.
/// Each stream is rebuilt on its own, in one transaction that first takes the row lock of the stream in
/// <c>mt_streams</c>, the row every append to the stream updates: an append that committed before the lock is in the
/// events the rebuild reads (read-committed reads after the lock see it), and an append that comes later waits for the
/// rebuild's commit and then writes its document from the aggregate it fetched for writing, which the version check of
/// that append proves current. The document is the stream aggregated live (<c>AggregateStreamAsync</c>), so it equals
/// what the inline projection would have written; a stream whose aggregate is null loses its document.
/// </summary>
public sealed partial class ReadModelRebuilder(IDocumentStore store, ILogger<ReadModelRebuilder> logger)
{
    private const int PageSize = 500;
    private const int LockAttempts = 5;

    private static readonly MethodInfo RebuildOneMethod =
        typeof(ReadModelRebuilder).GetMethod(nameof(RebuildOne), BindingFlags.Instance | BindingFlags.NonPublic)!;

    private static readonly MethodInfo VerifyOneMethod =
        typeof(ReadModelRebuilder).GetMethod(nameof(VerifyOne), BindingFlags.Instance | BindingFlags.NonPublic)!;

    private readonly ConcurrentDictionary<(Type, string), MethodInfo> _methods = new();
    private IReadOnlyList<ReadModel>? _readModels;

    /// <summary>The inline single-stream snapshots registered in the service's Marten configuration.</summary>
    public IReadOnlyList<ReadModel> ReadModels => _readModels ??= Discover();

    private StoreOptions Options => (StoreOptions)store.Options;

    private string Schema => Options.Events.DatabaseSchemaName;

    /// <summary>Whether <paramref name="documentType"/> is one of <see cref="ReadModels"/>.</summary>
    public bool IsReadModel(Type documentType) => ReadModels.Any(m => m.DocumentType == documentType);

    /// <summary>The read models named <paramref name="name"/> (case-insensitive; all when null); empty when none has that name.</summary>
    public IReadOnlyList<ReadModel> Select(string? name) =>
        name is null ? ReadModels : [.. ReadModels.Where(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))];

    /// <summary>
    /// Rebuilds every stream of each read model in place. With <paramref name="fromEmpty"/> the read model's table is
    /// truncated first (for a restored database nothing else writes to; never online, where an append would find no
    /// document to continue from).
    /// </summary>
    public async Task<IReadOnlyList<ReadModelRebuildResult>> Rebuild(IReadOnlyList<ReadModel> readModels, bool fromEmpty, CancellationToken cancellationToken)
    {
        var results = new List<ReadModelRebuildResult>();
        foreach (var model in readModels)
        {
            var watch = Stopwatch.StartNew();
            if (fromEmpty)
            {
                await store.Storage.Database.EnsureStorageExistsAsync(model.DocumentType, cancellationToken);
                await Execute($"truncate table {model.Table}", cancellationToken);
                LogTruncated(model.Name, model.Table);
            }

            int streams = 0, stored = 0, deleted = 0;
            await foreach (var streamId in StreamsOf(model, cancellationToken))
            {
                streams++;
                if (await RebuildStream(model.DocumentType, streamId, cancellationToken))
                {
                    stored++;
                }
                else
                {
                    deleted++;
                }
            }

            var result = new ReadModelRebuildResult(model.Name, streams, stored, deleted, 0, [], Math.Round(watch.Elapsed.TotalSeconds, 3));
            LogRebuilt(model.Name, streams, stored, deleted, result.Seconds);
            results.Add(result);
        }

        return results;
    }

    /// <summary>Compares every stream's stored document with the stream aggregated live (as PostgreSQL jsonb, field by field).</summary>
    public async Task<IReadOnlyList<ReadModelRebuildResult>> Verify(IReadOnlyList<ReadModel> readModels, CancellationToken cancellationToken)
    {
        var results = new List<ReadModelRebuildResult>();
        foreach (var model in readModels)
        {
            var watch = Stopwatch.StartNew();
            var streams = 0;
            var mismatched = new List<string>();
            await foreach (var streamId in StreamsOf(model, cancellationToken))
            {
                streams++;
                var method = _methods.GetOrAdd((model.DocumentType, nameof(VerifyOne)), key => VerifyOneMethod.MakeGenericMethod(key.Item1));
                if (!await (Task<bool>)method.Invoke(this, [model, streamId, cancellationToken])!)
                {
                    mismatched.Add(streamId);
                }
            }

            var result = new ReadModelRebuildResult(model.Name, streams, 0, 0, mismatched.Count, mismatched, Math.Round(watch.Elapsed.TotalSeconds, 3));
            LogVerified(model.Name, streams, mismatched.Count);
            results.Add(result);
        }

        return results;
    }

    /// <summary>
    /// Rebuilds the document of one stream under the stream's row lock; returns whether a document was stored (false: the
    /// aggregate is null and the document was deleted). A deadlock with a concurrent append is retried.
    /// </summary>
    public async Task<bool> RebuildStream(Type documentType, string streamId, CancellationToken cancellationToken)
    {
        var method = _methods.GetOrAdd((documentType, nameof(RebuildOne)), key => RebuildOneMethod.MakeGenericMethod(key.Item1));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await (Task<bool>)method.Invoke(this, [streamId, cancellationToken])!;
            }
            catch (Exception ex) when (attempt < LockAttempts && IsLockConflict(ex))
            {
                LogLockConflict(streamId, attempt);
            }
        }
    }

    /// <summary>
    /// Rebuilds the document of a stream the command path found without one although it has events (the read model was
    /// emptied, e.g. for a rebuild, or lost); see <see cref="RebuildStream"/>.
    /// </summary>
    public async Task<bool> Heal(Type documentType, string streamId, CancellationToken cancellationToken)
    {
        LogHealing(streamId, documentType.Name);
        return await RebuildStream(documentType, streamId, cancellationToken);
    }

    private async Task<bool> RebuildOne<T>(string streamId, CancellationToken cancellationToken)
        where T : class
    {
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(cancellationToken);
        await LockStream(session, streamId, cancellationToken);
        var aggregate = await session.Events.AggregateStreamAsync<T>(streamId, token: cancellationToken);
        if (aggregate is null)
        {
            session.Delete<T>(streamId);
        }
        else
        {
            session.Store(aggregate);
        }

        await session.SaveChangesAsync(cancellationToken);
        return aggregate is not null;
    }

    private async Task<bool> VerifyOne<T>(ReadModel model, string streamId, CancellationToken cancellationToken)
        where T : class
    {
        await using var session = store.QuerySession();
        var aggregate = await session.Events.AggregateStreamAsync<T>(streamId, token: cancellationToken);
        await using var command = new NpgsqlCommand(
            $"select data = @live::jsonb from {model.Table} where id = @id",
            (NpgsqlConnection)session.Connection!);
        command.Parameters.AddWithValue("id", streamId);
        command.Parameters.AddWithValue("live", aggregate is null ? "null" : Options.Serializer().ToJson(aggregate));
        var equal = await command.ExecuteScalarAsync(cancellationToken);
        return aggregate is null ? equal is null : equal is true;
    }

    /// <summary>Takes the row lock every append to the stream takes (its version update in <c>mt_streams</c>).</summary>
    private async Task LockStream(IDocumentSession session, string streamId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"select version from {Schema}.mt_streams where id = @id for update",
            (NpgsqlConnection)session.Connection!);
        command.Parameters.AddWithValue("id", streamId);
        await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>The streams holding at least one event the read model applies, in pages by id.</summary>
    private async IAsyncEnumerable<string> StreamsOf(ReadModel model, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = "";
        while (true)
        {
            var page = new List<string>(PageSize);
            await using (var connection = store.Storage.Database.CreateConnection())
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    $"""
                    select s.id from {Schema}.mt_streams s
                    where s.id > @after
                      and exists (select 1 from {Schema}.mt_events e where e.stream_id = s.id and e.type = any(@types))
                    order by s.id limit @limit
                    """,
                    connection);
                command.Parameters.AddWithValue("after", after);
                command.Parameters.AddWithValue("types", model.EventTypeNames.ToArray());
                command.Parameters.AddWithValue("limit", PageSize);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add(reader.GetString(0));
                }
            }

            foreach (var id in page)
            {
                yield return id;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    private async Task Execute(string sql, CancellationToken cancellationToken)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private List<ReadModel> Discover() =>
    [
        .. Options.Projections.All
            .OfType<IAggregateProjection>()
            .Where(p => p.Lifecycle == ProjectionLifecycle.Inline && p.Scope == AggregationScope.SingleStream)
            .Select(p => new ReadModel(
                p.AggregateType.Name,
                p.AggregateType,
                store.Options.FindOrResolveDocumentType(p.AggregateType).TableName.QualifiedName,
                [.. p.AllEventTypes.Select(t => ((Marten.Events.EventGraph)Options.Events).EventMappingFor(t).EventTypeName).Distinct(StringComparer.Ordinal)])),
    ];

    /// <summary>PostgreSQL's deadlock and serialization failures: the rebuild of the stream is tried again.</summary>
    private static bool IsLockConflict(Exception exception)
    {
        for (var e = (Exception?)exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read model table {Table} of {ReadModel} truncated before its rebuild from events")]
    private partial void LogTruncated(string readModel, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read model {ReadModel} rebuilt from {Streams} streams ({Stored} stored, {Deleted} deleted) in {Seconds} s")]
    private partial void LogRebuilt(string readModel, int streams, int stored, int deleted, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read model {ReadModel} verified against {Streams} streams: {Mismatched} differ from their live aggregation")]
    private partial void LogVerified(string readModel, int streams, int mismatched);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId} has events but no {ReadModel} document: rebuilt from its events before deciding on it")]
    private partial void LogHealing(string streamId, string readModel);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild of stream {StreamId} met a concurrent append (attempt {Attempt}); trying again")]
    private partial void LogLockConflict(string streamId, int attempt);
}
