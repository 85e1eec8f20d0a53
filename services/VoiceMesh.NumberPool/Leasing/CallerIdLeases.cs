using Marten;
using Npgsql;
using VoiceMesh.NumberPool.Routing;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>A lease taken: the caller id, how local it is, and until when it holds unless released.</summary>
public sealed record Lease(Guid LeaseId, string CallerId, LocalMatch Match, DateTimeOffset ExpiresAt);

/// <summary>An open lease of a number, as the read model lists it.</summary>
public sealed record OpenLease(Guid LeaseId, string? CallSid, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);

/// <summary>A number's counters in the current hour and day (as of its last use), its total, and its open leases.</summary>
public sealed record NumberUsage(
    int ActiveLeases, DateTimeOffset? HourStart, int HourCount, DateTimeOffset? DayStart, int DayCount, long TotalCalls,
    DateTimeOffset? LastUsedAt, DateTimeOffset? CoolingUntil, System.Collections.Immutable.ImmutableList<OpenLease> Leases);

/// <summary>Either a lease or why there is none.</summary>
public sealed record Acquisition(Lease? Lease, Unavailability? Reason, string? Detail)
{
    public static Acquisition Unavailable(Unavailability reason, string detail) => new(null, reason, detail);
}

/// <summary>
/// Caller-id selection and the lease lifecycle, on the hot path. Chooses, in one SQL statement, the best eligible
/// number of the pool: local presence first (same exchange, area code, region, country, then any), then the fewest
/// current leases, then the least recently used; eligible means active, not cooling down, under its pool's concurrent,
/// hourly and daily limits. The same statement takes the slot (counters, cooldown after N calls), inserts the lease
/// row and appends the lease event to the number's lease ledger, so one acquisition is one round trip and one commit.
/// <para>
/// Why row locks and not Marten's optimistic concurrency: every acquisition in a pool competes for the same few
/// best numbers, so optimistic appends would conflict and retry constantly under load (and the ceiling of one Marten
/// event per transaction leaves no room for retries). <c>FOR UPDATE SKIP LOCKED</c> lets concurrent acquisitions,
/// from any number of instances, each lock a different number at once; the limits are checked on the locked row, so
/// they hold across instances without any in-process lock. A number another transaction holds at that instant is
/// being leased and counts as busy; when that leaves nothing, the selection is repeated waiting for the locks
/// (<c>FOR UPDATE</c>, PostgreSQL re-checks the limits on the row it gets), so "pool exhausted" is only answered
/// when nothing is eligible. Releases and expiries lock the lease row, then the number's row: the same order
/// everywhere, so no deadlock.
/// </para>
/// <para>
/// Why the ledger event is appended inside the statement and not through a Marten session: a session per lease (one
/// for the acquisition, one for the release) cost more than the rest of the request together (the number-acquire
/// benchmark: 499 acquisitions/s with sessions, see the service README for the figure without). The statement calls
/// the event store's own append function (<see cref="LedgerAppend"/>), with the event's JSON from Marten's serializer
/// and the fields only the statement knows (the number chosen, its count) set in SQL; the number's row lock,
/// taken first, serialises every append to its ledger.
/// </para>
/// </summary>
public sealed class CallerIdLeases(
    NpgsqlDataSource dataSource, LeaseEndings endings, IDocumentStore store, NumberPoolMetrics metrics, TimeProvider clock)
{
    private readonly string _schema = store.Options.DatabaseSchemaName;
    private readonly LedgerAppend _ledger = new(store);

    /// <summary>The lease ledger stream of a number.</summary>
    public static string LedgerId(string phoneNumber) => $"{phoneNumber}/leases";

    /// <summary>Leases a caller id from <paramref name="pool"/> for a call to <paramref name="destination"/>; counted by outcome.</summary>
    public async Task<Acquisition> Acquire(string pool, string destination, string? callSid, TimeSpan duration, CancellationToken cancellationToken)
    {
        var acquisition = await Choose(pool, destination, callSid, duration, cancellationToken);
        metrics.Acquisition(pool, acquisition.Reason);
        return acquisition;
    }

    private async Task<Acquisition> Choose(string pool, string destination, string? callSid, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (NumberGeography.Locate(destination) is not { } to)
        {
            return Acquisition.Unavailable(Unavailability.InvalidDestination, $"The destination is not a valid E.164 number.");
        }

        var now = clock.GetUtcNow();
        var leased = new CallerIdLeased(Guid.CreateVersion7(now), "", pool, "", callSid, 0, now, now + duration);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var taken = await Take(connection, to, leased, wait: false, cancellationToken)
            ?? await Take(connection, to, leased, wait: true, cancellationToken);
        return taken is var (phoneNumber, match)
            ? new Acquisition(new Lease(leased.LeaseId, phoneNumber, match, leased.ExpiresAt), null, null)
            : await Explain(connection, pool, now, cancellationToken);
    }

    /// <summary>Ends a lease; true when it was open. Releasing an ended or unknown lease changes nothing.</summary>
    public async Task<bool> Release(Guid leaseId, CancellationToken cancellationToken) =>
        await End("l.lease_id = $3", leaseId, LeaseEnd.Released, cancellationToken) > 0;

    /// <summary>Ends the open leases taken for a call (its terminal status came); true when there were any.</summary>
    public async Task<bool> ReleaseForCall(string callSid, CancellationToken cancellationToken) =>
        await End("l.call_sid = $3", callSid, LeaseEnd.Released, cancellationToken) > 0;

    /// <summary>Ends up to <paramref name="batch"/> leases past their expiry; returns how many.</summary>
    public Task<int> ExpireDue(int batch, CancellationToken cancellationToken) =>
        End(
            $"""
            l.lease_id in (select lease_id from {_schema}.{UsageTables.Leases}
                where ended_at is null and expires_at <= $1 order by expires_at limit $3 for update skip locked)
            """,
            batch, LeaseEnd.Expired, cancellationToken);

    /// <summary>
    /// Ends the open leases <paramref name="condition"/> selects (<c>$3</c> is <paramref name="key"/>), gives their
    /// numbers' slots back and appends one <see cref="CallerIdLeaseEnded"/> per lease to each number's ledger, in one
    /// statement; returns how many ended.
    /// </summary>
    private async Task<int> End(string condition, object key, LeaseEnd reason, CancellationToken cancellationToken)
    {
        var ended = new CallerIdLeaseEnded(Guid.Empty, "", reason, 0, clock.GetUtcNow());
        await using var command = endings.DataSource.CreateCommand(
            $"""
            with ended as (
                update {_schema}.{UsageTables.Leases} l set ended_at = $1 where {condition} and l.ended_at is null
                returning l.phone_number, l.lease_id),
            counted as (
                select phone_number, array_agg(lease_id order by lease_id) as ids from ended group by phone_number),
            usage as (
                update {_schema}.{UsageTables.Usage} u set active_leases = u.active_leases - cardinality(c.ids)
                from counted c where u.phone_number = c.phone_number
                returning u.phone_number, u.active_leases, c.ids),
            appended as (
                select u.phone_number, {_ledger.Call(
                    "u.phone_number",
                    "array(select gen_random_uuid() from unnest(u.ids))",
                    $"""
                    array(select $2::jsonb || jsonb_build_object(
                        '{nameof(CallerIdLeaseEnded.LeaseId)}', t.id, '{nameof(CallerIdLeaseEnded.PhoneNumber)}', u.phone_number,
                        '{nameof(CallerIdLeaseEnded.ActiveLeases)}', u.active_leases + cardinality(u.ids) - t.i::int)
                        from unnest(u.ids) with ordinality as t(id, i) order by t.i)
                    """,
                    "cardinality(u.ids)",
                    "$1",
                    4)} as versions
                from usage u)
            select coalesce(sum(cardinality(u.ids)), 0)::int from usage u join appended a on a.phone_number = u.phone_number
            """);
        command.Parameters.AddWithValue(ended.EndedAt);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Jsonb, _ledger.Json(ended));
        command.Parameters.AddWithValue(key);
        _ledger.AddParameters(command, typeof(CallerIdLeaseEnded));
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static readonly string[] MatchWire = [.. Enum.GetValues<LocalMatch>().Select(m => m.ToWire())];

    /// <summary>Takes a slot of the best eligible number for <paramref name="leased"/> (its number and match are the statement's).</summary>
    private async Task<(string PhoneNumber, LocalMatch Match)?> Take(
        NpgsqlConnection connection, NumberLocation to, CallerIdLeased leased, bool wait, CancellationToken cancellationToken)
    {
        var now = leased.AcquiredAt;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        var day = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero);
        await using var command = new NpgsqlCommand(
            $"""
            with candidate as (
                select u.phone_number,
                       case when u.exchange = $2 then 0 when u.area_code = $3 then 1
                            when u.region = $4 and u.iso_country = $5 then 2 when u.iso_country = $5 then 3 else 4 end as match
                from {_schema}.{UsageTables.Usage} u join {_schema}.{UsageTables.Pools} p on p.pool = u.pool
                where u.pool = $1 and u.state = 'active'
                  and (u.cooling_until is null or u.cooling_until <= $6)
                  and u.active_leases < p.max_concurrent
                  and (p.max_per_hour is null or u.hour_start is distinct from $7 or u.hour_count < p.max_per_hour)
                  and (p.max_per_day is null or u.day_start is distinct from $8 or u.day_count < p.max_per_day)
                order by match, u.active_leases, u.last_used_at nulls first, u.phone_number
                limit 1
                for update of u {(wait ? "" : "skip locked")}),
            used as (
                update {_schema}.{UsageTables.Usage} u set
                    active_leases = u.active_leases + 1,
                    hour_count = case when u.hour_start = $7 then u.hour_count + 1 else 1 end, hour_start = $7,
                    day_count = case when u.day_start = $8 then u.day_count + 1 else 1 end, day_start = $8,
                    calls_since_cooldown = case when p.cooldown_after is not null and u.calls_since_cooldown + 1 >= p.cooldown_after
                        then 0 else u.calls_since_cooldown + 1 end,
                    cooling_until = case when p.cooldown_after is not null and u.calls_since_cooldown + 1 >= p.cooldown_after
                        then $6 + make_interval(secs => p.cooldown_seconds) else u.cooling_until end,
                    last_used_at = $6,
                    total_calls = u.total_calls + 1
                from candidate c, {_schema}.{UsageTables.Pools} p
                where u.phone_number = c.phone_number and p.pool = u.pool
                returning u.phone_number, c.match, u.active_leases),
            lease as (
                insert into {_schema}.{UsageTables.Leases} (lease_id, phone_number, pool, call_sid, acquired_at, expires_at)
                select $9, phone_number, $1, $10, $6, $11 from used),
            appended as (
                select {_ledger.Call(
                    "used.phone_number",
                    "array[$9]",
                    $"""
                    array[$12::jsonb || jsonb_build_object(
                        '{nameof(CallerIdLeased.PhoneNumber)}', used.phone_number, '{nameof(CallerIdLeased.Match)}', ($13::text[])[used.match + 1],
                        '{nameof(CallerIdLeased.ActiveLeases)}', used.active_leases)]
                    """,
                    "1",
                    "$6",
                    14)} as versions
                from used)
            select used.phone_number, used.match from used, appended
            """,
            connection);
        command.Parameters.AddWithValue(leased.Pool);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)to.Exchange ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)to.AreaCode ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)to.Region ?? DBNull.Value);
        command.Parameters.AddWithValue(to.IsoCountry);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(hour);
        command.Parameters.AddWithValue(day);
        command.Parameters.AddWithValue(leased.LeaseId);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)leased.CallSid ?? DBNull.Value);
        command.Parameters.AddWithValue(leased.ExpiresAt);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Jsonb, _ledger.Json(leased));
        command.Parameters.AddWithValue(MatchWire);
        _ledger.AddParameters(command, typeof(CallerIdLeased));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), (LocalMatch)reader.GetInt32(1)) : null;
    }

    /// <summary>The counters and open leases of the given numbers, for the read model.</summary>
    public async Task<IReadOnlyDictionary<string, NumberUsage>> Usage(IReadOnlyList<string> phoneNumbers, CancellationToken cancellationToken)
    {
        var usage = new Dictionary<string, NumberUsage>(StringComparer.Ordinal);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            $"""
            select phone_number, active_leases, hour_start, hour_count, day_start, day_count, total_calls, last_used_at, cooling_until
            from {_schema}.{UsageTables.Usage} where phone_number = any($1)
            """,
            connection))
        {
            command.Parameters.AddWithValue(phoneNumbers.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                usage[reader.GetString(0)] = new NumberUsage(
                    reader.GetInt32(1),
                    reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
                    reader.GetInt32(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                    reader.GetInt32(5),
                    reader.GetInt64(6),
                    reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                    reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                    []);
            }
        }

        await using (var command = new NpgsqlCommand(
            $"""
            select phone_number, lease_id, call_sid, acquired_at, expires_at from {_schema}.{UsageTables.Leases}
            where phone_number = any($1) and ended_at is null order by acquired_at
            """,
            connection))
        {
            command.Parameters.AddWithValue(phoneNumbers.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var phoneNumber = reader.GetString(0);
                if (usage.TryGetValue(phoneNumber, out var counters))
                {
                    usage[phoneNumber] = counters with
                    {
                        Leases = counters.Leases.Add(new OpenLease(
                            reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                            reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4))),
                    };
                }
            }
        }

        return usage;
    }

    /// <summary>Why the pool had nothing: unknown, empty, or every number at a limit (with the counts).</summary>
    private async Task<Acquisition> Explain(NpgsqlConnection connection, string pool, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            select p.pool is not null,
                   count(u.phone_number) filter (where u.state = 'active'),
                   count(u.phone_number) filter (where u.state = 'active' and u.active_leases >= p.max_concurrent),
                   count(u.phone_number) filter (where u.state = 'active' and u.cooling_until > $2)
            from (select $1::text as name) q
            left join {_schema}.{UsageTables.Pools} p on p.pool = q.name
            left join {_schema}.{UsageTables.Usage} u on u.pool = q.name
            group by p.pool
            """,
            connection);
        command.Parameters.AddWithValue(pool);
        command.Parameters.AddWithValue(now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (!reader.GetBoolean(0))
        {
            return Acquisition.Unavailable(Unavailability.UnknownPool, $"No pool named {pool} is defined.");
        }

        var (active, busy, cooling) = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        return Acquisition.Unavailable(
            Unavailability.PoolExhausted,
            active == 0
                ? $"Pool {pool} has no active numbers."
                : $"Every active number of pool {pool} is at a limit: {active} active, {busy} at their concurrent-call limit, "
                    + $"{cooling} cooling down, {Math.Max(0, active - busy - cooling)} at their hourly or daily limit.");
    }
}
