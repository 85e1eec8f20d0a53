using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Budgets;

/// <summary>
/// Budgets per tenant or campaign: one stream per budget, checked on the placement path before a request is stored,
/// set through <c>/api/calls/budgets/{scope}/{key}</c>.
/// </summary>
internal static class BudgetsRegistration
{
    public static IHostApplicationBuilder AddCallBudgets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<BudgetOptions>();
        builder.Services.AddSingleton<BudgetMetrics>();
        builder.Services.AddScoped<BudgetAdmission>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<BudgetSet>();
            opts.Events.AddEventType<BudgetRemoved>();
            opts.Events.AddEventType<BudgetReserved>();
            opts.Events.AddEventType<BudgetLimitReached>();
            opts.Projections.Snapshot<Budget>(SnapshotLifecycle.Inline);

            // The usage query reads these indexed columns, never the call documents' JSON: a scope's calls in a period.
            opts.Schema.For<Call>().Duplicate(c => c.Tenant).Duplicate(c => c.Campaign).Duplicate(c => c.PlacedAt);
        });
        return builder;
    }

    /// <summary><c>PUT</c>, <c>GET</c> and <c>DELETE /api/calls/budgets/{scope}/{key}</c>.</summary>
    public static RouteGroupBuilder MapCallBudgets(this RouteGroupBuilder calls) => calls.MapBudgetEndpoints();
}
