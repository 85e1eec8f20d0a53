using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Reconciliation;

internal static class ReconciliationRegistration
{
    public static IHostApplicationBuilder AddCallReconciliation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ReconciliationOptions>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<CallReconciliationChecked>();
            opts.Events.AddEventType<CallReconciliationRefused>();

            // The worker's query (live calls, quietest first) reads two indexed columns instead of every call's JSON.
            opts.Schema.For<Call>().Duplicate(c => c.IsTerminal).Duplicate(c => c.QuietSince);
        });
        builder.Services.AddSingleton<ReconciliationMetrics>();
        builder.Services.AddPeriodicJob<CallReconciler>(
            provider => provider.GetRequiredService<IOptions<ReconciliationOptions>>().Value.Interval, (job, ct) => job.RunOnce(ct));
        return builder;
    }
}
