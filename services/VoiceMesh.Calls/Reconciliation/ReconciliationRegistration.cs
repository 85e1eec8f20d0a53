using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Reconciliation;

internal static class ReconciliationRegistration
{
    public static IHostApplicationBuilder AddCallReconciliation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ReconciliationOptions>();
        builder.Services.ConfigureMarten(opts => opts.Events.AddEventType<CallReconciliationChecked>());
        builder.Services.AddScoped<CallReconciler>();
        builder.Services.AddHostedService<ReconciliationWorker>();
        return builder;
    }
}
