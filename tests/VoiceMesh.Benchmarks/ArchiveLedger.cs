using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// When the Recordings service recorded each recording archived, read from its own event store: the server timestamp
/// of the recording's <c>RecordingArchived</c> event, which is PostgreSQL's <c>now()</c> in the transaction that
/// stored it and also made <c>GET /api/recordings/{sid}</c> answer <c>archived</c> (the read model is an inline
/// snapshot written in that transaction). Waiting is one indexed query per poll, not one API request per recording
/// through the gateway, so it takes next to nothing from the processes being measured; and since the times come from
/// the stored events, the poll interval does not round them.
/// </summary>
internal sealed partial class ArchiveLedger : IAsyncDisposable
{
    private const string ArchivedEventType = "recording_archived";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly NpgsqlDataSource _database;
    private readonly string _schema;

    private ArchiveLedger(NpgsqlDataSource database, string schema)
    {
        _database = database;
        _schema = schema;
    }

    /// <summary>The ledger of the Recordings process: its connection string and Marten schema.</summary>
    public static ArchiveLedger Of(ServiceProcess recordings)
    {
        var schema = recordings.Settings["Marten__Schema"];
        if (!SchemaName().IsMatch(schema))
        {
            throw new InvalidOperationException($"'{schema}' is not a schema name the ledger can query.");
        }

        return new ArchiveLedger(NpgsqlDataSource.Create(recordings.Settings["ConnectionStrings__Postgres"]), schema);
    }

    /// <summary>The recordings of <paramref name="recordingSids"/> archived so far, with the time each was.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> Archived(IReadOnlyCollection<string> recordingSids, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(
            $"select stream_id, timestamp from {_schema}.mt_events where type = @type and stream_id = any(@sids)");
        command.Parameters.AddWithValue("type", ArchivedEventType);
        command.Parameters.AddWithValue("sids", recordingSids.ToArray());
        var archived = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            archived[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        }

        return archived;
    }

    /// <summary>
    /// Polls until every recording is archived, or until none more was archived for <paramref name="patience"/>;
    /// returns what was archived by then.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> WaitForAll(
        IReadOnlyCollection<string> recordingSids, TimeSpan patience, CancellationToken cancellationToken)
    {
        var archived = await Archived(recordingSids, cancellationToken);
        var progress = Stopwatch.StartNew();
        while (archived.Count < recordingSids.Count && progress.Elapsed < patience)
        {
            await Task.Delay(PollInterval, cancellationToken);
            var now = await Archived(recordingSids, cancellationToken);
            if (now.Count > archived.Count)
            {
                progress.Restart();
            }

            archived = now;
        }

        return archived;
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex SchemaName();
}
