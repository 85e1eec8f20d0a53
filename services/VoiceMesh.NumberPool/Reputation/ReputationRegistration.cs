using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Reputation;

/// <summary>Number reputation: call outcomes, their consumer (which also ends the call's leases) and the cooldown events.</summary>
internal static class ReputationRegistration
{
    public static IHostApplicationBuilder AddNumberReputation(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Storage.ExtendedSchemaObjects.Add(CallOutcomes.For(opts.DatabaseSchemaName));
            opts.Events.AddEventType<ReputationDegraded>();
            opts.Events.AddEventType<ReputationCooldownEnded>();
        });
        builder.Services.AddSingleton<CallOutcomes>();
        builder.Services.AddConsumers(x => x.AddConsumer<CallOutcomeConsumer>());
        return builder;
    }
}
