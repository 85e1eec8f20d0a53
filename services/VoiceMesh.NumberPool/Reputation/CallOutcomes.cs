using Marten;
using Npgsql;
using VoiceMesh.NumberPool.Leasing;
using VoiceMesh.NumberPool.Pools;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace VoiceMesh.NumberPool.Reputation;

/// <summary>How a call placed from a pool number ended, as far as its reputation goes.</summary>
public sealed record CallOutcome(string CallSid, string PhoneNumber, bool Answered, int TalkSeconds);

/// <summary>A number's calls and the rest of its pool's over a reputation window.</summary>
public sealed record ReputationCounts(int Calls, int Answered, int ShortCalls, long TalkSeconds, int PoolCalls, int PoolAnswered)
{
    public double AnswerRate => Calls == 0 ? 0 : (double)Answered / Calls;

    public double PoolAnswerRate => PoolCalls == 0 ? 0 : (double)PoolAnswered / PoolCalls;

    public double ShortCallRate => Answered == 0 ? 0 : (double)ShortCalls / Answered;

    public double AverageTalkSeconds => Answered == 0 ? 0 : (double)TalkSeconds / Answered;

    /// <summary>
    /// The evidence when the number's answer rate is below <see cref="PoolReputation.AnswerRateRatio"/> times the rest of
    /// its pool's, both over at least <see cref="PoolReputation.MinCalls"/> calls; null otherwise. Pure.
    /// </summary>
    public ReputationEvidence? Degraded(PoolReputation thresholds)
    {
        if (Calls < thresholds.MinCalls || PoolCalls < thresholds.MinCalls)
        {
            return null;
        }

        return AnswerRate < thresholds.AnswerRateRatio * PoolAnswerRate
            ? new ReputationEvidence(Calls, AnswerRate, PoolCalls, PoolAnswerRate, ShortCallRate, AverageTalkSeconds, thresholds.Window)
            : null;
    }
}

/// <summary>
/// The call outcomes reputation is judged on: one row per call placed from a pool number (<c>np_call_outcomes</c>,
/// keyed by CallSid, so a repeated callback counts once), beside the usage tables. Like the usage counters they are
/// observations, not decisions: the decision (a cooldown) goes to the number's stream.
/// </summary>
public sealed class CallOutcomes(NpgsqlDataSource dataSource, IDocumentStore store, TimeProvider clock)
{
    public const string Table = "np_call_outcomes";

    private readonly string _schema = store.Options.DatabaseSchemaName;

    public static Table For(string schema)
    {
        var outcomes = new Table(new PostgresqlObjectName(schema, Table, SchemaUtils.IdentifierUsage.General));
        outcomes.AddColumn<string>("call_sid").AsPrimaryKey();
        outcomes.AddColumn<string>("phone_number").NotNull();
        outcomes.AddColumn<string>("pool").NotNull();
        outcomes.AddColumn("ended_at", "timestamptz").NotNull();
        outcomes.AddColumn<bool>("answered").NotNull();
        outcomes.AddColumn<int>("talk_seconds").NotNull();
        outcomes.Indexes.Add(new IndexDefinition("ix_np_call_outcomes_pool") { Columns = ["pool", "ended_at"] });
        return outcomes;
    }

    /// <summary>
    /// Records the outcome of a call from a pool number, once per call; returns the number's pool (also for a call
    /// recorded already, so a redelivery judges again), or null when the number is not in a pool.
    /// </summary>
    public async Task<string?> Record(CallOutcome outcome, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            with recorded as (
                insert into {_schema}.{Table} (call_sid, phone_number, pool, ended_at, answered, talk_seconds)
                select $1, u.phone_number, u.pool, $3, $4, $5 from {_schema}.{UsageTables.Usage} u where u.phone_number = $2
                on conflict (call_sid) do nothing)
            select pool from {_schema}.{UsageTables.Usage} where phone_number = $2
            """);
        command.Parameters.AddWithValue(outcome.CallSid);
        command.Parameters.AddWithValue(outcome.PhoneNumber);
        command.Parameters.AddWithValue(clock.GetUtcNow());
        command.Parameters.AddWithValue(outcome.Answered);
        command.Parameters.AddWithValue(outcome.TalkSeconds);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>
    /// The number's counts and the rest of its pool's over the window (for the number, only calls since its last
    /// cooldown ended: it starts afresh).
    /// </summary>
    public async Task<ReputationCounts> Count(string phoneNumber, string pool, PoolReputation thresholds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select count(*) filter (where o.phone_number = $1 and o.ended_at > coalesce(u.reputation_since, '-infinity'))::int,
                   count(*) filter (where o.phone_number = $1 and o.ended_at > coalesce(u.reputation_since, '-infinity') and o.answered)::int,
                   count(*) filter (where o.phone_number = $1 and o.ended_at > coalesce(u.reputation_since, '-infinity') and o.answered
                                    and o.talk_seconds < $4)::int,
                   coalesce(sum(o.talk_seconds) filter (where o.phone_number = $1 and o.ended_at > coalesce(u.reputation_since, '-infinity')
                                    and o.answered), 0)::bigint,
                   count(*) filter (where o.phone_number <> $1)::int,
                   count(*) filter (where o.phone_number <> $1 and o.answered)::int
            from {_schema}.{Table} o left join {_schema}.{UsageTables.Usage} u on u.phone_number = $1
            where o.pool = $2 and o.ended_at > $3
            """);
        command.Parameters.AddWithValue(phoneNumber);
        command.Parameters.AddWithValue(pool);
        command.Parameters.AddWithValue(clock.GetUtcNow() - thresholds.Window);
        command.Parameters.AddWithValue(thresholds.ShortCallSeconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ReputationCounts(
            reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt32(4), reader.GetInt32(5));
    }
}
