using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace VoiceMesh.Testing;

/// <summary>One <c>CallStatusReported</c> event in Calls' event store: its call, its sequence number, and when it was stored.</summary>
public readonly record struct AppliedReport(string CallSid, int? SequenceNumber, DateTimeOffset StoredAt);

/// <summary>
/// What Calls holds for a set of calls, read straight from its Marten schema with one indexed query per question (not
/// one API request per call through the gateway, which would load the processes being measured): the
/// <c>CallStatusReported</c> events of their streams in <c>mt_events</c>, with the timestamp PostgreSQL gave each when
/// it was stored, and how many of their read models (the inline snapshot <c>mt_doc_call</c>, written in the same
/// transaction) are <c>completed</c>. The stored value of <c>completed</c> is learned from a call the API reports
/// completed (<see cref="LearnCompleted"/>), so the query does not assume how Marten stores the enum.
/// </summary>
public sealed partial class CallsLedger : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly NpgsqlDataSource _database;
    private readonly string _schema;
    private string? _completed;

    private CallsLedger(NpgsqlDataSource database, string schema)
    {
        _database = database;
        _schema = schema;
    }

    /// <summary>The ledger of the mesh's Calls service: its connection string and Marten schema.</summary>
    public static CallsLedger Of(Mesh mesh)
    {
        var schema = mesh.CallsEnvironment["Marten__Schema"];
        if (!SchemaName().IsMatch(schema))
        {
            throw new InvalidOperationException($"'{schema}' is not a schema name the ledger can query.");
        }

        return new CallsLedger(NpgsqlDataSource.Create(mesh.CallsEnvironment["ConnectionStrings__Postgres"]), schema);
    }

    /// <summary>Every <c>CallStatusReported</c> event of the calls' streams.</summary>
    public async Task<IReadOnlyList<AppliedReport>> Applied(IReadOnlyCollection<string> callSids, CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand(
            $"select stream_id, (data ->> 'SequenceNumber')::int, timestamp from {_schema}.mt_events "
            + "where type = 'call_status_reported' and stream_id = any(@sids)");
        command.Parameters.AddWithValue("sids", callSids.ToArray());
        var applied = new List<AppliedReport>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add(new AppliedReport(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2)));
        }

        return applied;
    }

    /// <summary>How many <c>CallStatusReported</c> events the calls' streams hold.</summary>
    public Task<long> AppliedCount(IReadOnlyCollection<string> callSids, CancellationToken cancellationToken) =>
        Count($"select count(*) from {_schema}.mt_events where type = 'call_status_reported' and stream_id = any(@sids)", callSids, cancellationToken);

    /// <summary>How many of the calls' read models are <c>completed</c>; needs <see cref="LearnCompleted"/> first.</summary>
    public Task<long> CompletedCount(IReadOnlyCollection<string> callSids, CancellationToken cancellationToken) =>
        _completed is null
            ? throw new InvalidOperationException("The ledger has not learned how the read model stores 'completed'.")
            : Count(
                $"select count(*) from {_schema}.mt_doc_call where id = any(@sids) and data -> 'Status' = @completed::jsonb", callSids, cancellationToken, _completed);

    /// <summary>Remembers how <paramref name="callSid"/>'s read model stores its status, which the API reports <c>completed</c>.</summary>
    public async Task LearnCompleted(Mesh mesh, string callSid, CancellationToken cancellationToken)
    {
        var call = await mesh.GetCall(callSid, cancellationToken);
        if (call?.GetProperty("status").GetString() != "completed")
        {
            throw new InvalidOperationException($"GET /api/calls/{callSid} shows {call?.ToString() ?? "nothing"}, not a completed call.");
        }

        await using var command = _database.CreateCommand($"select (data -> 'Status')::text from {_schema}.mt_doc_call where id = @sid");
        command.Parameters.AddWithValue("sid", callSid);
        _completed = await command.ExecuteScalarAsync(cancellationToken) as string
            ?? throw new InvalidOperationException($"{_schema}.mt_doc_call holds no Status for {callSid}.");
    }

    /// <summary>
    /// Polls until the calls' streams hold <paramref name="expected"/> reports and (when asked) every read model is
    /// completed, or until neither moved for <paramref name="patience"/>, or <paramref name="limit"/> has passed;
    /// returns when the poll saw it done, or null.
    /// </summary>
    public async Task<DateTimeOffset?> WaitFor(
        IReadOnlyCollection<string> callSids, long expected, bool completed, TimeSpan patience, TimeSpan limit, CancellationToken cancellationToken)
    {
        var last = (Applied: -1L, Completed: -1L);
        var progress = Stopwatch.StartNew();
        var waited = Stopwatch.StartNew();
        while (progress.Elapsed < patience && waited.Elapsed < limit)
        {
            var now = (Applied: await AppliedCount(callSids, cancellationToken), Completed: completed ? await CompletedCount(callSids, cancellationToken) : 0);
            if (now.Applied >= expected && (!completed || now.Completed == callSids.Count))
            {
                return TimeProvider.System.GetUtcNow();
            }

            if (now != last)
            {
                progress.Restart();
                last = now;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        return null;
    }

    /// <summary>PostgreSQL's <c>clock_timestamp()</c> minus this machine's wall clock at the middle of the round trip, and the round trip.</summary>
    public async Task<(TimeSpan Offset, TimeSpan RoundTrip)> ClockOffset(CancellationToken cancellationToken)
    {
        await using var command = _database.CreateCommand("select clock_timestamp()");
        await command.ExecuteScalarAsync(cancellationToken);
        var before = TimeProvider.System.GetUtcNow();
        var server = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
        var after = TimeProvider.System.GetUtcNow();
        return (new DateTimeOffset(server, TimeSpan.Zero) - (before + ((after - before) / 2)), after - before);
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private async Task<long> Count(string sql, IReadOnlyCollection<string> callSids, CancellationToken cancellationToken, string? completed = null)
    {
        await using var command = _database.CreateCommand(sql);
        command.Parameters.AddWithValue("sids", callSids.ToArray());
        if (completed is not null)
        {
            command.Parameters.AddWithValue("completed", completed);
        }

        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex SchemaName();
}
