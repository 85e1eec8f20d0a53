using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>What the ledger can wait for, by the event the Recordings service stores for it.</summary>
internal enum LedgerEntry
{
    /// <summary><c>RecordingArchiveRequested</c>: the first <c>completed</c> callback was stored, with the decision to archive.</summary>
    ArchiveRequested,

    /// <summary><c>RecordingArchived</c>: the copy is stored and verified.</summary>
    Archived,

    /// <summary><c>RecordingDeletedAtTwilio</c>: the last step of an archive; the service is done with the recording.</summary>
    DeletedAtTwilio,
}

/// <summary>
/// When the Recordings service recorded each recording archived (or deleted at Twilio), read from its own event store:
/// the server timestamp of the recording's <c>RecordingArchived</c> event, which is PostgreSQL's <c>now()</c> in the transaction that
/// stored it and also made <c>GET /api/recordings/{sid}</c> answer <c>archived</c> (the read model is an inline
/// snapshot written in that transaction). Waiting is one indexed query per poll, not one API request per recording
/// through the gateway, so it takes next to nothing from the processes being measured; and since the times come from
/// the stored events, the poll interval does not round them.
/// </summary>
internal sealed partial class ArchiveLedger : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly NpgsqlDataSource _database;
    private readonly string _schema;

    private ArchiveLedger(NpgsqlDataSource database, string schema)
    {
        _database = database;
        _schema = schema;
    }

    /// <summary>The ledger of the mesh's Recordings service: its connection string and Marten schema.</summary>
    public static ArchiveLedger Of(Mesh mesh)
    {
        var settings = mesh.EnvironmentOf("recordings");
        var schema = settings["Marten__Schema"];
        if (!SchemaName().IsMatch(schema))
        {
            throw new InvalidOperationException($"'{schema}' is not a schema name the ledger can query.");
        }

        return new ArchiveLedger(NpgsqlDataSource.Create(settings["ConnectionStrings__Postgres"]), schema);
    }

    /// <summary>The recordings of <paramref name="recordingSids"/> that reached <paramref name="entry"/> so far, with the time each did.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> Reached(
        IReadOnlyCollection<string> recordingSids, LedgerEntry entry, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(
            $"select stream_id, timestamp from {_schema}.mt_events where type = @type and stream_id = any(@sids)");
        command.Parameters.AddWithValue("type", entry switch
        {
            LedgerEntry.ArchiveRequested => "recording_archive_requested",
            LedgerEntry.Archived => "recording_archived",
            _ => "recording_deleted_at_twilio",
        });
        command.Parameters.AddWithValue("sids", recordingSids.ToArray());
        var reached = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            reached[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        }

        return reached;
    }

    /// <summary>
    /// Polls until every recording reached <paramref name="entry"/>, or until none more did for <paramref name="patience"/>;
    /// returns those that did by then.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> WaitForAll(
        IReadOnlyCollection<string> recordingSids, LedgerEntry entry, TimeSpan patience, CancellationToken cancellationToken)
    {
        var reached = await Reached(recordingSids, entry, cancellationToken);
        var progress = Stopwatch.StartNew();
        while (reached.Count < recordingSids.Count && progress.Elapsed < patience)
        {
            await Task.Delay(PollInterval, cancellationToken);
            var now = await Reached(recordingSids, entry, cancellationToken);
            if (now.Count > reached.Count)
            {
                progress.Restart();
            }

            reached = now;
        }

        return reached;
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex SchemaName();
}
