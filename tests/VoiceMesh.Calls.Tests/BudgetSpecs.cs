using System.Diagnostics.Metrics;
using System.Text.Json;
using JasperFx.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using VoiceMesh.Calls.Budgets;
using VoiceMesh.Calls.Outbox;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Tests;

/// <summary>
/// Budget decisions: given the budget's events and the scope's usage, when a PlaceCall asks to be admitted, then these
/// events; and the UTC period roll (a budget exhausted today admits again tomorrow, or next month).
/// </summary>
public sealed class BudgetSpecs : IDisposable
{
    private const decimal DefaultEstimate = 0.05m;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 15, 30, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private BudgetSet Set(decimal amount, BudgetPeriod period = BudgetPeriod.Day, decimal? estimate = 0.25m) => new()
    {
        Scope = BudgetScope.Campaign,
        Key = "spring",
        Amount = amount,
        Currency = "USD",
        Period = period,
        EstimatePerCall = estimate,
        SetAt = _clock.GetUtcNow(),
    };

    private static Budget Given(BudgetSet set, params object[] events)
    {
        var budget = Budget.Create(set);
        foreach (var e in events)
        {
            budget = e switch
            {
                BudgetReserved reserved => budget.Apply(reserved),
                BudgetLimitReached reached => budget.Apply(reached),
                BudgetRemoved removed => budget.Apply(removed),
                BudgetSet again => budget.Apply(again),
                _ => throw new ArgumentException($"Unexpected event {e.GetType().Name}"),
            };
        }

        return budget;
    }

    /// <summary>The usage the query reads now, for a daily budget unless <paramref name="period"/> says otherwise.</summary>
    private BudgetUsage Usage(decimal spent = 0, int unpriced = 0, BudgetPeriod period = BudgetPeriod.Day, params string[] settled) =>
        new(BudgetWindow.Of(period, _clock.GetUtcNow()), spent, unpriced, new HashSet<string>(settled, StringComparer.Ordinal));

    private (Decision Decision, BudgetStanding? Refused) Admit(Budget? budget, string requestId, BudgetUsage usage) =>
        Budget.Admit(budget, requestId, usage, _clock.GetUtcNow(), DefaultEstimate);

    [Fact]
    public void Below_the_amount_a_placement_is_admitted_and_reserves_its_estimate()
    {
        var (decision, refused) = Admit(Given(Set(1.00m)), "req-1", Usage(spent: 0.30m));

        Assert.Null(refused);
        var reserved = Assert.IsType<BudgetReserved>(Assert.Single(decision.Events));
        Assert.Equal("req-1", reserved.RequestId);
        Assert.Empty(reserved.Released);
    }

    [Fact]
    public void Spent_plus_calls_in_flight_reaching_the_amount_refuses_and_records_the_budget_reached_once_per_period()
    {
        var budget = Given(Set(1.00m));
        var usage = Usage(spent: 0.50m, unpriced: 2);

        var (decision, refused) = Admit(budget, "req-1", usage);

        Assert.NotNull(refused);
        Assert.True(refused.Exhausted);
        Assert.Equal((0.50m, 2, 0.50m, 0m), (refused.Spent, refused.CallsInFlight, refused.InFlightEstimate, refused.Remaining));
        var reached = Assert.IsType<BudgetLimitReached>(Assert.Single(decision.Events));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), reached.PeriodStart);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), reached.PeriodEnd);
        Assert.Equal((0.50m, 2), (reached.Spent, reached.CallsInFlight));

        var (again, stillRefused) = Admit(Given(Set(1.00m), reached), "req-2", usage);
        Assert.NotNull(stillRefused);
        Assert.Empty(again.Events);
    }

    [Fact]
    public void Just_below_the_amount_admits_and_exactly_at_it_refuses()
    {
        var budget = Given(Set(1.00m));

        Assert.Null(Admit(budget, "req-1", Usage(spent: 0.74m, unpriced: 1)).Refused);
        Assert.NotNull(Admit(budget, "req-1", Usage(spent: 0.75m, unpriced: 1)).Refused);
    }

    [Fact]
    public void Placements_admitted_one_after_another_stop_at_the_budget_counting_each_reservation_in_flight()
    {
        var budget = Given(Set(1.00m));
        var admitted = 0;
        for (var i = 0; i < 10; i++)
        {
            var (decision, refused) = Admit(budget, $"req-{i}", Usage());
            if (refused is not null)
            {
                break;
            }

            budget = budget.Apply(Assert.IsType<BudgetReserved>(Assert.Single(decision.Events)));
            admitted++;
        }

        Assert.Equal(4, admitted);
        Assert.Equal(4, budget.Pending.Count);
    }

    [Fact]
    public void A_settled_reservation_no_longer_counts_and_is_released_at_the_next_admission()
    {
        var budget = Given(
            Set(1.00m),
            new BudgetReserved("req-1", [], _clock.GetUtcNow()), new BudgetReserved("req-2", [], _clock.GetUtcNow()), new BudgetReserved("req-3", [], _clock.GetUtcNow()));
        var usage = Usage(unpriced: 1, settled: ["req-1", "req-2"]);

        Assert.Equal(2, budget.Standing(usage, DefaultEstimate).CallsInFlight);
        var reserved = Assert.IsType<BudgetReserved>(Assert.Single(Admit(budget, "req-4", usage).Decision.Events));
        Assert.Equal(["req-1", "req-2"], reserved.Released.Order());
        Assert.Equal(["req-3", "req-4"], budget.Apply(reserved).Pending);
    }

    [Fact]
    public void A_request_admitted_already_is_admitted_again_without_a_change()
    {
        var budget = Given(Set(0.50m), new BudgetReserved("req-1", [], _clock.GetUtcNow()), new BudgetReserved("req-2", [], _clock.GetUtcNow()));

        var (decision, refused) = Admit(budget, "req-1", Usage());

        Assert.Null(refused);
        Assert.Empty(decision.Events);
        Assert.NotNull(Admit(budget, "req-3", Usage()).Refused);
    }

    [Fact]
    public void No_budget_or_a_removed_one_admits_everything()
    {
        Assert.Equal((0, (BudgetStanding?)null), (Admit(null, "req-1", Usage()).Decision.Events.Count, Admit(null, "req-1", Usage()).Refused));
        var removed = Given(Set(0.01m), new BudgetRemoved(_clock.GetUtcNow()));
        var (decision, refused) = Admit(removed, "req-1", Usage(spent: 5m));
        Assert.Null(refused);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Without_its_own_estimate_a_budget_counts_calls_in_flight_at_the_configured_one()
    {
        var standing = Given(Set(1.00m, estimate: null)).Standing(Usage(unpriced: 2), DefaultEstimate);

        Assert.Equal(0.10m, standing.InFlightEstimate);
    }

    [Fact]
    public void A_daily_budget_exhausted_today_admits_again_tomorrow_at_midnight_utc()
    {
        var set = Set(1.00m, BudgetPeriod.Day);
        var (today, refused) = Admit(Given(set), "req-1", Usage(spent: 1.00m));
        Assert.NotNull(refused);
        var budget = Given(set, today.Events.ToArray());

        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 24, 23, 59, 59, TimeSpan.Zero));
        var (lastSecond, stillRefused) = Admit(budget, "req-2", Usage(spent: 1.00m));
        Assert.NotNull(stillRefused);
        Assert.Empty(lastSecond.Events);

        // The query reads the new day's calls: none yet. The budget reached yesterday does not hold today.
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        var (tomorrow, open) = Admit(budget, "req-3", Usage());
        Assert.Null(open);
        Assert.IsType<BudgetReserved>(Assert.Single(tomorrow.Events));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), budget.Standing(Usage(), DefaultEstimate).Window.Start);
    }

    [Fact]
    public void A_budget_reached_again_in_the_next_period_is_recorded_again()
    {
        var set = Set(1.00m);
        var first = Admit(Given(set), "req-1", Usage(spent: 1.00m)).Decision;
        var budget = Given(set, first.Events.ToArray());

        _clock.Advance(TimeSpan.FromDays(1));
        var second = Admit(budget, "req-2", Usage(spent: 1.00m)).Decision;

        var reached = Assert.IsType<BudgetLimitReached>(Assert.Single(second.Events));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero), reached.PeriodStart);
    }

    [Fact]
    public void A_monthly_budget_exhausted_in_november_admits_again_on_the_first_of_december()
    {
        var set = Set(2.00m, BudgetPeriod.Month);
        var (november, refused) = Admit(Given(set), "req-1", Usage(spent: 2.00m, period: BudgetPeriod.Month));
        Assert.NotNull(refused);
        var reached = Assert.IsType<BudgetLimitReached>(Assert.Single(november.Events));
        Assert.Equal(
            (new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)),
            (reached.PeriodStart, reached.PeriodEnd));

        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero));
        Assert.NotNull(Admit(Given(set, reached), "req-2", Usage(spent: 2.00m, period: BudgetPeriod.Month)).Refused);

        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero));
        Assert.Null(Admit(Given(set, reached), "req-3", Usage(period: BudgetPeriod.Month)).Refused);
    }

    [Theory]
    [InlineData("2026-11-24T15:30:00+00:00", BudgetPeriod.Day, "2026-11-24T00:00:00+00:00", "2026-11-25T00:00:00+00:00")]
    [InlineData("2026-11-24T23:59:59.9999999+00:00", BudgetPeriod.Day, "2026-11-24T00:00:00+00:00", "2026-11-25T00:00:00+00:00")]
    [InlineData("2026-11-25T00:30:00+02:00", BudgetPeriod.Day, "2026-11-24T00:00:00+00:00", "2026-11-25T00:00:00+00:00")]
    [InlineData("2026-12-31T23:00:00+00:00", BudgetPeriod.Day, "2026-12-31T00:00:00+00:00", "2027-01-01T00:00:00+00:00")]
    [InlineData("2026-12-31T23:00:00+00:00", BudgetPeriod.Month, "2026-12-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00")]
    [InlineData("2028-02-29T12:00:00+00:00", BudgetPeriod.Month, "2028-02-01T00:00:00+00:00", "2028-03-01T00:00:00+00:00")]
    public void Periods_are_utc_days_and_months(string at, BudgetPeriod period, string start, string end)
    {
        var window = BudgetWindow.Of(period, DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(
            (DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture)),
            (window.Start, window.End));
    }

    [Fact]
    public void Setting_the_same_budget_again_changes_nothing_and_a_new_amount_reopens_the_period()
    {
        var set = Set(1.00m);
        var reached = Assert.IsType<BudgetLimitReached>(Assert.Single(Admit(Given(set), "req-1", Usage(spent: 1.00m)).Decision.Events));
        var budget = Given(set, reached);

        Assert.Empty(Budget.Set(budget, set with { SetAt = _clock.GetUtcNow().AddMinutes(1) }).Events);
        var raised = set with { Amount = 2.00m };
        Assert.Single(Budget.Set(budget, raised).Events);
        Assert.Null(Admit(budget.Apply(raised), "req-2", Usage(spent: 1.00m)).Refused);
        Assert.Single(Budget.Remove(budget, _clock.GetUtcNow()).Events);
        Assert.Empty(Budget.Remove(budget.Apply(new BudgetRemoved(_clock.GetUtcNow())), _clock.GetUtcNow()).Events);
    }

    [Fact]
    public void A_budget_reached_leaves_as_budget_exhausted_and_is_counted_by_scope()
    {
        var reached = Assert.IsType<BudgetLimitReached>(Assert.Single(Admit(Given(Set(1.00m)), "req-1", Usage(spent: 1.20m)).Decision.Events));

        var message = Assert.IsType<BudgetExhausted>(CallEventsPublisher.Map(new Event<BudgetLimitReached>(reached)));
        Assert.Equal(("campaign", "spring", 1.00m, "USD", "day", 1.20m, 0), (message.Scope, message.Key, message.Amount, message.Currency, message.Period, message.Spent, message.CallsInFlight));
        Assert.Equal(reached.PeriodEnd, message.PeriodEnd);
        Assert.Null(CallEventsPublisher.Map(new Event<BudgetReserved>(new BudgetReserved("req-1", [], _clock.GetUtcNow()))));

        using var exhausted = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), VoiceMeshTelemetry.Name, "voicemesh.calls.budget.exhausted");
        var metrics = new BudgetMetrics(_services.GetRequiredService<IMeterFactory>());
        metrics.Stored([reached, new BudgetReserved("req-2", [], _clock.GetUtcNow())]);
        var measurement = Assert.Single(exhausted.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("campaign", measurement.Tags["voicemesh.budget.scope"]);
    }

    private static BudgetBody Body(string json) => JsonSerializer.Deserialize<BudgetBody>(json, JsonSerializerOptions.Web)!;

    private IReadOnlyList<BudgetViolation> Validate(string json) =>
        BudgetRequestValidator.Validate(BudgetScope.Campaign, "spring", Body(json), _clock.GetUtcNow(), out _);

    [Fact]
    public void A_valid_budget_body_sets_the_budget()
    {
        var violations = BudgetRequestValidator.Validate(
            BudgetScope.Tenant, "acme", Body("""{"amount": 12.5, "currency": "USD", "period": "month", "estimatePerCall": 0.02}"""), _clock.GetUtcNow(), out var set);

        Assert.Empty(violations);
        Assert.Equal((BudgetScope.Tenant, "acme", 12.5m, "USD", BudgetPeriod.Month, (decimal?)0.02m), (set!.Scope, set.Key, set.Amount, set.Currency, set.Period, set.EstimatePerCall));
        Assert.Empty(Validate("""{"amount": 1, "currency": "EUR", "period": "day"}"""));
    }

    [Theory]
    [InlineData("""{"currency": "USD", "period": "day"}""", "amount")]
    [InlineData("""{"amount": 0, "currency": "USD", "period": "day"}""", "amount")]
    [InlineData("""{"amount": -3, "currency": "USD", "period": "day"}""", "amount")]
    [InlineData("""{"amount": "10", "currency": "USD", "period": "day"}""", "amount")]
    [InlineData("""{"amount": 1.0000001, "currency": "USD", "period": "day"}""", "amount")]
    [InlineData("""{"amount": 1e12, "currency": "USD", "period": "day"}""", "amount")]
    [InlineData("""{"amount": 10, "period": "day"}""", "currency")]
    [InlineData("""{"amount": 10, "currency": "usd", "period": "day"}""", "currency")]
    [InlineData("""{"amount": 10, "currency": "DOLLARS", "period": "day"}""", "currency")]
    [InlineData("""{"amount": 10, "currency": 840, "period": "day"}""", "currency")]
    [InlineData("""{"amount": 10, "currency": "USD"}""", "period")]
    [InlineData("""{"amount": 10, "currency": "USD", "period": "week"}""", "period")]
    [InlineData("""{"amount": 10, "currency": "USD", "period": "Day"}""", "period")]
    [InlineData("""{"amount": 10, "currency": "USD", "period": "day", "estimatePerCall": -0.1}""", "estimatePerCall")]
    [InlineData("""{"amount": 10, "currency": "USD", "period": "day", "estimatePerCall": "cheap"}""", "estimatePerCall")]
    public void A_malformed_budget_body_names_the_field(string json, string field)
    {
        var violation = Assert.Single(Validate(json));

        Assert.Equal(field, violation.Field);
    }

    [Theory]
    [InlineData("team", "spring", "scope")]
    [InlineData("Campaign", "spring", "scope")]
    [InlineData("campaign", "", "key")]
    [InlineData("campaign", "tab\there", "key")]
    public void A_malformed_scope_or_key_is_named(string scope, string key, string field)
    {
        Assert.Equal(field, BudgetRequestValidator.Path(scope, key, out _)?.Field);
        Assert.Null(BudgetRequestValidator.Path("tenant", "acme", out var parsed));
        Assert.Equal(BudgetScope.Tenant, parsed);
        Assert.Equal("key", BudgetRequestValidator.Path("campaign", new string('k', 101), out _)?.Field);
    }
}
