using Marten;
using Npgsql;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>Caller-id selection: the usage tables and their projection, the lease path, its consumers, endpoints, sweeper and metrics.</summary>
internal static class LeasingRegistration
{
    public static IHostApplicationBuilder AddCallerIdLeasing(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Storage.ExtendedSchemaObjects.AddRange(UsageTables.For(opts.DatabaseSchemaName));
            opts.Events.AddEventType<CallerIdLeased>();
            opts.Events.AddEventType<CallerIdLeaseEnded>();
            opts.Projections.Add(new UsageProjection(opts.DatabaseSchemaName), JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        });
        // The lease and outcome statements leave no session state behind (no SET, advisory lock, temporary table or
        // cursor), so a connection going back to the pool needs no reset; PostgreSQL parsed and ran the reset's
        // statements (RESET ALL, UNLISTEN *, pg_advisory_unlock_all() ...) before every lease statement otherwise.
        var leases = new NpgsqlConnectionStringBuilder(
            MartenExtensions.WithPreparedStatements(builder.Configuration.GetConnectionString(MartenExtensions.ConnectionName)!))
        {
            NoResetOnClose = true,
        };
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(leases.ConnectionString));
        builder.Services.AddSingleton(_ => new LeaseEndings(NpgsqlDataSource.Create(LeaseEndings.ConnectionString(leases.ConnectionString))));
        builder.Services.AddSingleton<NumberPoolMetrics>();
        builder.Services.AddSingleton<CallerIdLeases>();
        builder.Services.AddHostedService<LeaseSweeper>();
        builder.Services.AddSingleton<PoolUsageSampler>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<PoolUsageSampler>());
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<AcquireCallerIdConsumer>();
            x.AddConsumer<ReleaseCallerIdConsumer>();
        });
        return builder;
    }

    /// <summary><c>POST /api/numbers/acquire</c>, <c>DELETE /api/numbers/leases/{leaseId}</c>.</summary>
    public static RouteGroupBuilder MapCallerIdLeasing(this RouteGroupBuilder numbers) => numbers.MapLeaseEndpoints();
}
