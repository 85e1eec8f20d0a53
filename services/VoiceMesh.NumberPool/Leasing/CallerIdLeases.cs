using Marten;
using Npgsql;
using VoiceMesh.NumberPool.Routing;
using SessionOptions = Marten.Services.SessionOptions;

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
/// hourly and daily limits. The same statement takes the slot (counters, cooldown after N calls) and inserts the
/// lease row; the lease event goes to the number's lease ledger in the same transaction.
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
/// </summary>
public sealed class CallerIdLeases(NpgsqlDataSource dataSource, IDocumentStore store, TimeProvider clock)
{
    private readonly string _schema = store.Options.DatabaseSchemaName;

    /// <summary>The lease ledger stream of a number.</summary>
    public static string LedgerId(string phoneNumber) => $"{phoneNumber}/leases";

    public async Task<Acquisition> Acquire(string pool, string destination, string? callSid, TimeSpan duration, CancellationToken cancellationToken)
    {
        if (NumberGeography.Locate(destination) is not { } to)
        {
            return Acquisition.Unavailable(Unavailability.InvalidDestination, $"The destination is not a valid E.164 number.");
        }

        var now = clock.GetUtcNow();
        var lease = Guid.CreateVersion7(now);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var taken = await Take(connection, pool, to, lease, callSid, now, duration, wait: false, cancellationToken)
            ?? await Take(connection, pool, to, lease, callSid, now, duration, wait: true, cancellationToken);
        if (taken is not var (phoneNumber, match, active))
        {
            var unavailable = await Explain(connection, pool, now, cancellationToken);
            await transaction.RollbackAsync(cancellationToken);
            return unavailable;
        }

        var expiresAt = now + duration;
        await using (var session = store.LightweightSession(SessionOptions.ForTransaction(transaction)))
        {
            session.Events.Append(LedgerId(phoneNumber), new CallerIdLeased(lease, phoneNumber, pool, match.ToWire(), callSid, active, now, expiresAt));
            await session.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new Acquisition(new Lease(lease, phoneNumber, match, expiresAt), null, null);
    }

    /// <summary>Ends a lease; true when it was open. Releasing an ended or unknown lease changes nothing.</summary>
    public Task<bool> Release(Guid leaseId, CancellationToken cancellationToken) => End("lease_id = $1", leaseId, cancellationToken);

    /// <summary>Ends the open leases taken for a call (its terminal status came); true when there were any.</summary>
    public Task<bool> ReleaseForCall(string callSid, CancellationToken cancellationToken) => End("call_sid = $1", callSid, cancellationToken);

    private async Task<bool> End(string condition, object key, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var ended = new List<(string PhoneNumber, Guid LeaseId, int Active)>();
        await using (var command = new NpgsqlCommand(
            $"""
            with ended as (
                update {_schema}.{UsageTables.Leases} set ended_at = $2 where {condition} and ended_at is null returning phone_number, lease_id),
            counted as (
                select phone_number, count(*)::int as leases, array_agg(lease_id) as ids from ended group by phone_number)
            update {_schema}.{UsageTables.Usage} u set active_leases = u.active_leases - counted.leases
            from counted where u.phone_number = counted.phone_number
            returning u.phone_number, u.active_leases, counted.ids
            """,
            connection))
        {
            command.Parameters.AddWithValue(key);
            command.Parameters.AddWithValue(now);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (phoneNumber, after, ids) = (reader.GetString(0), reader.GetInt32(1), reader.GetFieldValue<Guid[]>(2));
                ended.AddRange(ids.Select((id, i) => (phoneNumber, id, after + ids.Length - 1 - i)));
            }
        }

        if (ended.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await Record(transaction, ended, LeaseEnd.Released, now, cancellationToken);
        return true;
    }

    /// <summary>Ends up to <paramref name="batch"/> leases past their expiry; returns how many.</summary>
    public async Task<int> ExpireDue(int batch, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var expired = new List<(string PhoneNumber, Guid LeaseId)>();
        await using (var command = new NpgsqlCommand(
            $"""
            with due as (
                select lease_id from {_schema}.{UsageTables.Leases}
                where ended_at is null and expires_at <= $1 order by expires_at limit $2 for update skip locked)
            update {_schema}.{UsageTables.Leases} l set ended_at = $1 from due where l.lease_id = due.lease_id
            returning l.phone_number, l.lease_id
            """,
            connection))
        {
            command.Parameters.AddWithValue(now);
            command.Parameters.AddWithValue(batch);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                expired.Add((reader.GetString(0), reader.GetGuid(1)));
            }
        }

        if (expired.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return 0;
        }

        var ends = new List<(string PhoneNumber, Guid LeaseId, int Active)>();
        foreach (var group in expired.GroupBy(e => e.PhoneNumber, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            await using var command = new NpgsqlCommand(
                $"update {_schema}.{UsageTables.Usage} set active_leases = active_leases - $2 where phone_number = $1 returning active_leases", connection);
            command.Parameters.AddWithValue(group.Key);
            command.Parameters.AddWithValue(group.Count());
            var after = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            var index = group.Count();
            foreach (var (phoneNumber, leaseId) in group)
            {
                ends.Add((phoneNumber, leaseId, after + --index));
            }
        }

        await Record(transaction, ends, LeaseEnd.Expired, now, cancellationToken);
        return expired.Count;
    }

    private async Task Record(
        NpgsqlTransaction transaction, IReadOnlyList<(string PhoneNumber, Guid LeaseId, int Active)> ends, LeaseEnd reason, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using (var session = store.LightweightSession(SessionOptions.ForTransaction(transaction)))
        {
            foreach (var (phoneNumber, leaseId, active) in ends)
            {
                session.Events.Append(LedgerId(phoneNumber), new CallerIdLeaseEnded(leaseId, phoneNumber, reason, active, now));
            }

            await session.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<(string PhoneNumber, LocalMatch Match, int Active)?> Take(
        NpgsqlConnection connection, string pool, NumberLocation to, Guid lease, string? callSid, DateTimeOffset now, TimeSpan duration, bool wait,
        CancellationToken cancellationToken)
    {
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
                select $9, phone_number, $1, $10, $6, $11 from used)
            select phone_number, match, active_leases from used
            """,
            connection);
        command.Parameters.AddWithValue(pool);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)to.Exchange ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)to.AreaCode ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)to.Region ?? DBNull.Value);
        command.Parameters.AddWithValue(to.IsoCountry);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(hour);
        command.Parameters.AddWithValue(day);
        command.Parameters.AddWithValue(lease);
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)callSid ?? DBNull.Value);
        command.Parameters.AddWithValue(now + duration);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetString(0), (LocalMatch)reader.GetInt32(1), reader.GetInt32(2))
            : null;
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
