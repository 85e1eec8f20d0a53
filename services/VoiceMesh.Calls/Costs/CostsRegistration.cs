using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Costs;

/// <summary>Call costs: Twilio's price of each final call stored on its stream, and the rollups over them.</summary>
internal static class CostsRegistration
{
    public static IHostApplicationBuilder AddCallCosts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PricingOptions>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<CallPriced>();
            opts.Events.AddEventType<CallPriceChecked>();

            // The pricer's second query (calls asked before and due again) reads an indexed column.
            opts.Schema.For<Call>().Duplicate(c => c.PriceCheckDueAt);
        });
        builder.Services.AddSingleton<PricingMetrics>();
        builder.Services.AddSingleton<PricingFetchLimiter>();
        builder.Services.AddSingleton<CostRollups>();
        builder.Services.AddPeriodicJob<CallPricer>(
            provider => provider.GetRequiredService<IOptions<PricingOptions>>().Value.Interval, (job, ct) => job.RunOnce(ct));
        return builder;
    }

    /// <summary><c>GET /api/calls/costs</c>.</summary>
    public static RouteGroupBuilder MapCallCosts(this RouteGroupBuilder calls) => calls.MapCostEndpoints();
}
