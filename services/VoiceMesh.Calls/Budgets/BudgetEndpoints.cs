using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Budgets;

/// <summary>The body of <c>PUT /api/calls/budgets/{scope}/{key}</c>; each field is read from its JSON value, so a wrong type is named.</summary>
public sealed record BudgetBody(JsonElement? Amount = null, JsonElement? Currency = null, JsonElement? Period = null, JsonElement? EstimatePerCall = null);

/// <summary>A budget and where it stands in its current period.</summary>
public sealed record BudgetResponse(
    string Scope,
    string Key,
    decimal Amount,
    string Currency,
    string Period,
    decimal? EstimatePerCall,
    decimal Spent,
    int InFlight,
    decimal InFlightEstimate,
    decimal Remaining,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    bool Exhausted);

/// <summary>A field of a budget request and what is wrong with it.</summary>
public sealed record BudgetViolation(string Field, string Reason);

/// <summary>Checks a budget's scope, key and body before anything is stored.</summary>
public static partial class BudgetRequestValidator
{
    private const decimal MaxAmount = 1_000_000_000m;

    /// <summary>The scope and key of the path, or the first of them that is malformed.</summary>
    public static BudgetViolation? Path(string scope, string key, out BudgetScope parsed)
    {
        if (!BudgetWire.TryParseScope(scope, out parsed))
        {
            return new("scope", "scope is tenant or campaign.");
        }

        return KeyPattern().IsMatch(key) && StorableText.IsSingleLine(key) ? null : new("key", "key is the tenant or campaign tag: 1-100 characters, no control characters.");
    }

    /// <summary>The budget the body sets, or every malformed field of it.</summary>
    public static IReadOnlyList<BudgetViolation> Validate(BudgetScope scope, string key, BudgetBody body, DateTimeOffset now, out BudgetSet? set)
    {
        set = null;
        var violations = new List<BudgetViolation>();
        var amount = Money(body.Amount, "amount", required: true, violations);
        var currency = body.Currency is { ValueKind: JsonValueKind.String } c && CurrencyPattern().IsMatch(c.GetString()!) ? c.GetString() : null;
        if (currency is null)
        {
            violations.Add(new("currency", "currency is an ISO 4217 code in capitals, e.g. USD."));
        }

        var period = default(BudgetPeriod);
        if (body.Period is not { ValueKind: JsonValueKind.String } p || !BudgetWire.TryParsePeriod(p.GetString(), out period))
        {
            violations.Add(new("period", "period is day or month (UTC)."));
        }

        var estimate = Money(body.EstimatePerCall, "estimatePerCall", required: false, violations);
        if (violations.Count == 0)
        {
            set = new BudgetSet
            {
                Scope = scope, Key = key, Amount = amount!.Value, Currency = currency!, Period = period, EstimatePerCall = estimate, SetAt = now,
            };
        }

        return violations;
    }

    /// <summary>A JSON number above zero (at least zero for an estimate), at most 10^9, with at most 6 decimals.</summary>
    private static decimal? Money(JsonElement? value, string field, bool required, List<BudgetViolation> violations)
    {
        if (value is null or { ValueKind: JsonValueKind.Null } && !required)
        {
            return null;
        }

        if (value is { ValueKind: JsonValueKind.Number } number && number.TryGetDecimal(out var amount)
            && (required ? amount > 0 : amount >= 0) && amount <= MaxAmount && amount.Scale <= 6)
        {
            return amount;
        }

        violations.Add(new(field, $"{field} is a JSON number {(required ? "above" : "of at least")} 0 and at most 1000000000, with at most 6 decimals."));
        return null;
    }

    [GeneratedRegex(@"^.{1,100}\z", RegexOptions.Singleline)]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Z]{3}\\z")]
    private static partial Regex CurrencyPattern();
}

internal static class BudgetEndpoints
{
    private const int MaxBody = 4096;
    private const int SetAttempts = 4;

    public static RouteGroupBuilder MapBudgetEndpoints(this RouteGroupBuilder calls)
    {
        calls.MapPut("/budgets/{scope}/{key}", Put);
        calls.MapGet("/budgets/{scope}/{key}", Get);
        calls.MapDelete("/budgets/{scope}/{key}", Delete);
        return calls;
    }

    private static async Task<Results<Ok<BudgetResponse>, ValidationProblem, ProblemHttpResult>> Put(
        string scope, string key, HttpRequest request, StreamCommands commands, BudgetAdmission budgets, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (BudgetRequestValidator.Path(scope, key, out var parsed) is { } bad)
        {
            return Invalid([bad]);
        }

        var (body, refused) = await request.ReadJson<BudgetBody>(MaxBody, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var violations = BudgetRequestValidator.Validate(parsed, key, body!, clock.GetUtcNow(), out var set);
        if (violations.Count > 0)
        {
            return Invalid(violations);
        }

        await ConflictRetry.Run(
            () => commands.Execute<Budget>(Budget.StreamId(parsed, key), null, b => Budget.Set(b, set!), cancellationToken),
            SetAttempts,
            clock,
            cancellationToken);

        return await budgets.Standing(parsed, key, cancellationToken) is { } standing
            ? TypedResults.Ok(Response(standing.Budget, standing.Standing))
            : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Budget removed", detail: "The budget was removed while it was set.");
    }

    private static async Task<Results<Ok<BudgetResponse>, ValidationProblem, ProblemHttpResult>> Get(
        string scope, string key, BudgetAdmission budgets, CancellationToken cancellationToken)
    {
        if (BudgetRequestValidator.Path(scope, key, out var parsed) is { } bad)
        {
            return Invalid([bad]);
        }

        return await budgets.Standing(parsed, key, cancellationToken) is { } standing
            ? TypedResults.Ok(Response(standing.Budget, standing.Standing))
            : NotFound(scope, key);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        string scope, string key, StreamCommands commands, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (BudgetRequestValidator.Path(scope, key, out var parsed) is { } bad)
        {
            return Invalid([bad]);
        }

        var removed = await commands.Execute<Budget>(Budget.StreamId(parsed, key), null, b => Budget.Remove(b, clock.GetUtcNow()), cancellationToken);
        return removed.Count > 0 ? TypedResults.NoContent() : NotFound(scope, key);
    }

    private static BudgetResponse Response(Budget budget, BudgetStanding standing) => new(
        budget.Scope.ToWire(), budget.Key, budget.Amount, budget.Currency, budget.Period.ToWire(), budget.EstimatePerCall,
        standing.Spent, standing.CallsInFlight, standing.InFlightEstimate, standing.Remaining, standing.Window.Start, standing.Window.End, standing.Exhausted);

    private static ValidationProblem Invalid(IEnumerable<BudgetViolation> violations) => TypedResults.ValidationProblem(
        violations.GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => v.Reason).ToArray()), title: "Invalid budget");

    private static ProblemHttpResult NotFound(string scope, string key) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Budget not found", detail: $"No budget is set for {scope} '{key}'.");
}
