using Marten;
using Npgsql;
using NpgsqlTypes;
using VoiceMesh.Calls.Lifecycle;

namespace VoiceMesh.Calls.Costs;

/// <summary>
/// One row of a cost rollup: the calls of one group <see cref="Key"/> (null for calls without one) priced in
/// <see cref="Currency"/>, their exact <see cref="Amount"/> and count, and beside it every call of the group still without a
/// price (live, or final and not priced yet). A group with no priced call has one row with a null currency.
/// </summary>
public sealed record CostGroupResponse(string? Key, string? Currency, decimal Amount, long PricedCalls, long UnpricedCalls);

public sealed record CostRollupResponse(string GroupBy, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<CostGroupResponse> Groups);

/// <summary>
/// Sums the stored <see cref="Call"/> documents' prices by group in PostgreSQL (<c>numeric</c>, so every total is exact),
/// reading the documents' JSON: the call's placed time (<c>PlacedAt</c>, else its first status report's <c>Timestamp</c>,
/// for calls VoiceMesh did not place) and its group fields.
/// </summary>
public sealed class CostRollups(IDocumentStore store)
{
    private const string PlacedTime =
        "coalesce((d.data ->> 'PlacedAt')::timestamptz, (d.data -> 'History' -> 0 ->> 'Timestamp')::timestamptz)";

    public async Task<IReadOnlyList<CostGroupResponse>> Query(CostRollupQuery query, CancellationToken cancellationToken)
    {
        var key = query.GroupBy switch
        {
            CostGrouping.Tenant => "d.data ->> 'Tenant'",
            CostGrouping.Campaign => "d.data ->> 'Campaign'",
            CostGrouping.Pool => "d.data ->> 'CallerIdPool'",
            CostGrouping.Flow => "d.data ->> 'FlowName'",
            _ => $"to_char({PlacedTime} at time zone 'UTC', 'YYYY-MM-DD')",
        };
        var table = store.Options.FindOrResolveDocumentType(typeof(Call)).TableName.QualifiedName;
        var sql = $"""
            select {key} as key,
                   d.data -> 'Price' ->> 'Currency' as currency,
                   coalesce(sum((d.data -> 'Price' ->> 'Amount')::numeric), 0) as amount,
                   count(*) as calls
            from {table} d
            where (@from is null or {PlacedTime} >= @from) and (@to is null or {PlacedTime} < @to)
            group by 1, 2
            order by 1 nulls first, 2 nulls first
            """;

        List<(string? Key, string? Currency, decimal Amount, long Calls)> rows = [];
        await using (var connection = store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = (object?)query.From ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = (object?)query.To ?? DBNull.Value });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((
                    await reader.IsDBNullAsync(0, cancellationToken) ? null : reader.GetString(0),
                    await reader.IsDBNullAsync(1, cancellationToken) ? null : reader.GetString(1),
                    reader.GetDecimal(2),
                    reader.GetInt64(3)));
            }
        }

        return [.. rows.GroupBy(r => r.Key).SelectMany(group =>
        {
            var unpriced = group.Where(r => r.Currency is null).Sum(r => r.Calls);
            var priced = group.Where(r => r.Currency is not null).ToList();
            return priced.Count == 0
                ? [new CostGroupResponse(group.Key, null, 0m, 0, unpriced)]
                : priced.Select(r => new CostGroupResponse(group.Key, r.Currency, r.Amount, r.Calls, unpriced));
        })];
    }
}
