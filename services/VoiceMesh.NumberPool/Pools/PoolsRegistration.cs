using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Pools;

/// <summary>Pools: one stream per pool, served as the pool read model.</summary>
internal static class PoolsRegistration
{
    public static IHostApplicationBuilder AddPools(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<PoolDefined>();
            opts.Projections.Snapshot<Pool>(SnapshotLifecycle.Inline);
        });
        return builder;
    }

    /// <summary><c>PUT</c> and <c>GET /api/numbers/pools/{pool}</c>.</summary>
    public static RouteGroupBuilder MapPools(this RouteGroupBuilder numbers) => numbers.MapPoolEndpoints();
}
