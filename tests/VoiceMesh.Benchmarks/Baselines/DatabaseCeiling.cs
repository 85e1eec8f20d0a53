using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks.Baselines;

/// <summary>
/// The database ceiling for the drain: raw Npgsql appending the burst's events, one row each (stream id, version,
/// type, jsonb data of the size Calls stores, the server's timestamp; unique per stream and version as an event
/// store's), in transactions of <see cref="BatchSize"/> rows sent as one batch of inserts, one after another on one
/// connection, into a scratch table in a schema of its own that is dropped afterwards. It is what storing the events
/// costs on this machine's PostgreSQL without an event store, a bus or a read model.
/// </summary>
internal static class DatabaseCeiling
{
    public const int BatchSize = 100;

    /// <summary>Appends <paramref name="warmup"/> untimed, then <paramref name="events"/>; returns the rows per second of the second.</summary>
    public static async Task<(double RowsPerSecond, TimeSpan Elapsed)> Append(
        string connectionString, IReadOnlyList<StatusWebhook> warmup, IReadOnlyList<StatusWebhook> events, CancellationToken cancellationToken)
    {
        var schema = TestInfrastructure.NewSchemaName("ceiling");
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using (var create = database.CreateCommand(
            $"create schema {schema}; create table {schema}.events (seq_id bigserial, stream_id text not null, version int not null, "
            + "type text not null, data jsonb not null, timestamp timestamptz not null default now(), primary key (stream_id, version))"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            var versions = new Dictionary<string, int>(StringComparer.Ordinal);
            await Insert(connection, schema, warmup, versions, cancellationToken);
            var clock = Stopwatch.StartNew();
            await Insert(connection, schema, events, versions, cancellationToken);
            return (events.Count / clock.Elapsed.TotalSeconds, clock.Elapsed);
        }
        finally
        {
            await using var drop = database.CreateCommand($"drop schema {schema} cascade");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task Insert(
        NpgsqlConnection connection, string schema, IReadOnlyList<StatusWebhook> events, Dictionary<string, int> versions, CancellationToken cancellationToken)
    {
        var sql = $"insert into {schema}.events (stream_id, version, type, data) values ($1, $2, 'call_status_reported', $3)";
        foreach (var chunk in events.Chunk(BatchSize))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var e in chunk)
            {
                var version = versions[e.CallSid] = versions.GetValueOrDefault(e.CallSid) + 1;
                var command = new NpgsqlBatchCommand(sql);
                command.Parameters.Add(new NpgsqlParameter { Value = e.CallSid });
                command.Parameters.Add(new NpgsqlParameter { Value = version });
                command.Parameters.Add(new NpgsqlParameter { Value = e.EventJson(TimeProvider.System.GetUtcNow()), NpgsqlDbType = NpgsqlDbType.Jsonb });
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
