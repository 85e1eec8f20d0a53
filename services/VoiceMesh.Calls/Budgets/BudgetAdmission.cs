using System.Globalization;
using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.Placement;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Budgets;

/// <summary>
/// The budget check on the placement path: for the PlaceCall's tenant, then its campaign, reads the scope's usage (one
/// aggregate query of the scope's calls placed in the period, on indexed duplicated columns, and by-id loads of the few
/// pending reservations), then admits or refuses on the budget's stream. A concurrent admission on the same budget makes the
/// save conflict; the check is then read and decided again on the new version, so admissions of one scope are serial.
/// </summary>
public sealed partial class BudgetAdmission(
    StreamCommands commands,
    IDocumentStore store,
    BudgetMetrics metrics,
    IOptions<BudgetOptions> options,
    TimeProvider clock,
    ILogger<BudgetAdmission> logger)
{
    /// <summary>Reads and decisions per admission before a conflict is left to the endpoint's retry policy.</summary>
    private const int Attempts = 10;

    /// <summary>Null when every budget of the request's scopes admits it; otherwise the field whose budget is exhausted.</summary>
    public async Task<PlaceCallViolation?> Admit(PlaceCall command, CancellationToken cancellationToken)
    {
        foreach (var (scope, key, field) in Scopes(command))
        {
            if (await Admit(scope, key, command.RequestId, cancellationToken) is { } refused)
            {
                LogRefused(command.RequestId, scope, key);
                return new PlaceCallViolation(field, Reason(scope, key, refused.Budget, refused.Standing));
            }
        }

        return null;
    }

    /// <summary>The budget of <paramref name="scope"/>/<paramref name="key"/> and where it stands now; null when there is none.</summary>
    public async Task<(Budget Budget, BudgetStanding Standing)?> Standing(BudgetScope scope, string key, CancellationToken cancellationToken)
    {
        var budget = await commands.Load<Budget>(Budget.StreamId(scope, key), cancellationToken);
        if (budget is null or { Removed: true })
        {
            return null;
        }

        return (budget, budget.Standing(await Usage(budget, clock.GetUtcNow(), cancellationToken), options.Value.InFlightEstimate));
    }

    private async Task<(Budget Budget, BudgetStanding Standing)?> Admit(BudgetScope scope, string key, string requestId, CancellationToken cancellationToken)
    {
        var streamId = Budget.StreamId(scope, key);
        return await ConflictRetry.Run(
            async () =>
            {
                var read = await commands.Load<Budget>(streamId, cancellationToken);
                if (read is null or { Removed: true })
                {
                    return null;
                }

                var now = clock.GetUtcNow();
                var usage = await Usage(read, now, cancellationToken);
                (Budget, BudgetStanding)? refused = null;
                metrics.Stored(await commands.Execute<Budget>(streamId, null, budget =>
                {
                    var (decision, standing) = Budget.Admit(budget, requestId, usage, now, options.Value.InFlightEstimate);
                    refused = standing is null ? null : (budget!, standing);
                    return decision;
                }, cancellationToken));
                return refused;
            },
            Attempts,
            clock,
            cancellationToken);
    }

    /// <summary>
    /// The budget's usage in its current period. The pending reservations are looked at first (by id: the placements,
    /// and the calls of those placed), then the scope's calls in the period are summed by one query on the indexed
    /// duplicated columns; a call recorded between the two is counted twice for this decision, never missed.
    /// </summary>
    private async Task<BudgetUsage> Usage(Budget budget, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var window = BudgetWindow.Of(budget.Period, now);
        await using var session = store.QuerySession();
        var settled = new HashSet<string>(StringComparer.Ordinal);
        if (budget.Pending.Count > 0)
        {
            var placements = await session.LoadManyAsync<CallPlacement>(cancellationToken, [.. budget.Pending.Select(CallPlacement.StreamId)]);
            var placed = placements.Where(p => p is { Status: CallPlacement.Placed, CallSid: not null }).Select(p => p.CallSid!).ToArray();
            var recorded = placed.Length == 0
                ? []
                : (await session.LoadManyAsync<Call>(cancellationToken, placed)).Select(c => c.RequestId).OfType<string>().ToHashSet(StringComparer.Ordinal);
            settled.UnionWith(placements.Where(p => p.IsFinished && (p.Status != CallPlacement.Placed || recorded.Contains(p.RequestId))).Select(p => p.RequestId));
        }

        var column = budget.Scope == BudgetScope.Tenant ? "tenant" : "campaign";
        var sums = await session.AdvancedSql.QueryAsync<UsageRow>(
            $"""
            select jsonb_build_object(
                'Spent', coalesce(sum((d.data -> 'Price' ->> 'Amount')::numeric) filter (where upper(d.data -> 'Price' ->> 'Currency') = ?), 0),
                'Unpriced', count(*) filter (where upper(d.data -> 'Price' ->> 'Currency') is distinct from ?))
            from {store.Options.Schema.For<Call>()} d
            where d.{column} = ? and d.placed_at >= ? and d.placed_at < ?
            """,
            cancellationToken,
            budget.Currency, budget.Currency, budget.Key, window.Start, window.End);
        var row = sums.Single();
        return new BudgetUsage(window, row.Spent, row.Unpriced, settled);
    }

    /// <summary>The one row of the usage query.</summary>
    private sealed record UsageRow(decimal Spent, int Unpriced);

    private static IEnumerable<(BudgetScope Scope, string Key, string Field)> Scopes(PlaceCall command)
    {
        if (command.Tenant is { } tenant)
        {
            yield return (BudgetScope.Tenant, tenant, nameof(command.Tenant));
        }

        if (command.Campaign is { } campaign)
        {
            yield return (BudgetScope.Campaign, campaign, nameof(command.Campaign));
        }
    }

    private static string Reason(BudgetScope scope, string key, Budget budget, BudgetStanding standing) => string.Create(
        CultureInfo.InvariantCulture,
        $"BudgetExhausted: the {scope.ToWire()} budget of '{key}', {budget.Amount} {budget.Currency} per {budget.Period.ToWire()}, is reached "
        + $"({standing.Spent} spent and {standing.CallsInFlight} calls in flight at {standing.InFlightEstimate}); placements resume at {standing.Window.End:O}.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} refused: the {Scope} budget of {Key} is exhausted")]
    private partial void LogRefused(string requestId, BudgetScope scope, string key);
}
