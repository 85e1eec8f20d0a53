using Marten;
using Marten.Events.Projections;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.NumberPool.Reputation;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>
/// The compact tables caller-id selection reads and locks, next to the event store in the service's schema:
/// <c>np_pools</c> (each pool's limits), <c>np_number_usage</c> (one row per owned number: where it is, its state, its
/// counters) and <c>np_leases</c> (one row per lease). Marten creates and migrates them with its own schema objects.
/// </summary>
internal static class UsageTables
{
    public const string Pools = "np_pools";
    public const string Usage = "np_number_usage";
    public const string Leases = "np_leases";

    public static IEnumerable<Table> For(string schema)
    {
        var pools = new Table(new PostgresqlObjectName(schema, Pools, SchemaUtils.IdentifierUsage.General));
        pools.AddColumn<string>("pool").AsPrimaryKey();
        pools.AddColumn<int>("max_concurrent").NotNull();
        pools.AddColumn<int>("max_per_hour");
        pools.AddColumn<int>("max_per_day");
        pools.AddColumn<int>("cooldown_after");
        pools.AddColumn<int>("cooldown_seconds");

        var usage = new Table(new PostgresqlObjectName(schema, Usage, SchemaUtils.IdentifierUsage.General));
        usage.AddColumn<string>("phone_number").AsPrimaryKey();
        usage.AddColumn<string>("pool").NotNull();
        usage.AddColumn<string>("state").NotNull();
        usage.AddColumn<string>("iso_country");
        usage.AddColumn<string>("area_code");
        usage.AddColumn<string>("exchange");
        usage.AddColumn<string>("region");
        usage.AddColumn<int>("active_leases").NotNull().DefaultValue(0);
        usage.AddColumn("hour_start", "timestamptz");
        usage.AddColumn<int>("hour_count").NotNull().DefaultValue(0);
        usage.AddColumn("day_start", "timestamptz");
        usage.AddColumn<int>("day_count").NotNull().DefaultValue(0);
        usage.AddColumn<int>("calls_since_cooldown").NotNull().DefaultValue(0);
        usage.AddColumn("cooling_until", "timestamptz");
        usage.AddColumn("last_used_at", "timestamptz");
        usage.AddColumn<long>("total_calls").NotNull().DefaultValue(0);
        usage.AddColumn("reputation_since", "timestamptz");
        usage.Indexes.Add(new IndexDefinition("ix_np_number_usage_pool") { Columns = ["pool", "state"] });

        var leases = new Table(new PostgresqlObjectName(schema, Leases, SchemaUtils.IdentifierUsage.General));
        leases.AddColumn<Guid>("lease_id").AsPrimaryKey();
        leases.AddColumn<string>("phone_number").NotNull();
        leases.AddColumn<string>("pool").NotNull();
        leases.AddColumn<string>("call_sid");
        leases.AddColumn("acquired_at", "timestamptz").NotNull();
        leases.AddColumn("expires_at", "timestamptz").NotNull();
        leases.AddColumn("ended_at", "timestamptz");
        leases.Indexes.Add(new IndexDefinition("ix_np_leases_open") { Columns = ["expires_at"], Predicate = "ended_at is null" });
        leases.Indexes.Add(new IndexDefinition("ix_np_leases_call") { Columns = ["call_sid"], Predicate = "ended_at is null and call_sid is not null" });
        return [pools, usage, leases];
    }
}

/// <summary>
/// Keeps <c>np_pools</c> and <c>np_number_usage</c> in step with the pool and number streams, inline: the row changes
/// in the transaction that appends the event, so selection never sees a released number as active or a new one late.
/// </summary>
public sealed partial class UsageProjection : EventProjection
{
    private readonly string _schema;

    public UsageProjection(string schema)
    {
        _schema = schema;
        Name = "number-usage";
    }

    public void Project(PoolDefined e, IDocumentOperations ops) =>
        ops.QueueSqlCommand(
            $"""
            insert into {_schema}.{UsageTables.Pools} (pool, max_concurrent, max_per_hour, max_per_day, cooldown_after, cooldown_seconds)
            values (?, ?, ?::int, ?::int, ?::int, ?::int)
            on conflict (pool) do update set max_concurrent = excluded.max_concurrent, max_per_hour = excluded.max_per_hour,
                max_per_day = excluded.max_per_day, cooldown_after = excluded.cooldown_after, cooldown_seconds = excluded.cooldown_seconds
            """,
            e.Pool, e.Limits.MaxConcurrentCalls, OrNull(e.Limits.MaxCallsPerHour), OrNull(e.Limits.MaxCallsPerDay),
            OrNull(e.Limits.CooldownAfterCalls), OrNull((int?)e.Limits.Cooldown?.TotalSeconds));

    public void Project(NumberActivated e, IDocumentOperations ops) =>
        ops.QueueSqlCommand(
            $"""
            insert into {_schema}.{UsageTables.Usage} (phone_number, pool, state, iso_country, area_code, exchange, region)
            values (?, ?, ?, ?, ?::text, ?::text, ?::text)
            on conflict (phone_number) do update set pool = excluded.pool, state = excluded.state, iso_country = excluded.iso_country,
                area_code = excluded.area_code, exchange = excluded.exchange, region = excluded.region
            """,
            e.PhoneNumber, e.Pool, NumberState.Active.ToWire(), e.IsoCountry, OrNull(e.AreaCode), OrNull(e.Exchange), OrNull(e.Region));

    public void Project(NumberQuarantined e, IDocumentOperations ops) => SetState(ops, e.PhoneNumber, NumberState.Quarantined);

    public void Project(NumberReleased e, IDocumentOperations ops) => SetState(ops, e.PhoneNumber, NumberState.Released);

    public void Project(ReputationDegraded e, IDocumentOperations ops) => SetState(ops, e.PhoneNumber, NumberState.CoolingDown);

    /// <summary>Back in selection, and judged afresh: only calls from now on count for its reputation.</summary>
    public void Project(ReputationCooldownEnded e, IDocumentOperations ops) =>
        ops.QueueSqlCommand(
            $"update {_schema}.{UsageTables.Usage} set state = ?, reputation_since = ? where phone_number = ?",
            NumberState.Active.ToWire(), e.EndedAt, e.PhoneNumber);

    public void Project(NumberSuspended e, IDocumentOperations ops) => SetState(ops, e.PhoneNumber, NumberState.Suspended);

    public void Project(NumberResumed e, IDocumentOperations ops) => SetState(ops, e.PhoneNumber, NumberState.Active);

    private void SetState(IDocumentOperations ops, string phoneNumber, NumberState state) =>
        ops.QueueSqlCommand($"update {_schema}.{UsageTables.Usage} set state = ? where phone_number = ?", state.ToWire(), phoneNumber);

    private static object OrNull(object? value) => value ?? DBNull.Value;
}
