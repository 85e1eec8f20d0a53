using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Provisioning;

/// <summary>Provisioning and import: one stream per request, purchases through the Twilio SDK.</summary>
internal static class ProvisioningRegistration
{
    public static IHostApplicationBuilder AddProvisioning(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<ProvisioningPlanned>();
            opts.Events.AddEventType<NumbersImported>();
            opts.Events.AddEventType<ProvisioningRejected>();
            opts.Projections.Snapshot<ProvisioningPlan>(SnapshotLifecycle.Inline);
        });
        builder.Services.AddTwilioClient();
        builder.Services.AddScoped<TwilioNumbers>();
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<ProvisionNumbersConsumer>();
            x.AddConsumer<PurchaseNumberConsumer>();
            x.AddConsumer<ImportNumbersConsumer>();
        });
        return builder;
    }

    /// <summary><c>POST /api/numbers/provisioning</c>, <c>POST /api/numbers/imports</c>, <c>GET /api/numbers/provisioning/{requestId}</c>.</summary>
    public static RouteGroupBuilder MapProvisioning(this RouteGroupBuilder numbers) => numbers.MapProvisioningEndpoints();
}
