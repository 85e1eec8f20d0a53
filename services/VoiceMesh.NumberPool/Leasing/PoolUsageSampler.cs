using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>
/// Reads every pool's open leases and capacity in one grouped query over the usage tables, every
/// <see cref="NumberPoolOptions.UsageMetricsInterval"/>, into <see cref="NumberPoolMetrics.Usage"/>. A failed reading
/// is logged and the last one stays.
/// </summary>
public sealed partial class PoolUsageSampler(
    NpgsqlDataSource dataSource, IDocumentStore store, NumberPoolMetrics metrics, IOptions<NumberPoolOptions> options,
    TimeProvider clock, ILogger<PoolUsageSampler> logger)
    : BackgroundService
{
    private readonly string _schema = store.Options.DatabaseSchemaName;

    /// <summary>Reads the usage of every defined pool and stores it for the gauges.</summary>
    public async Task Sample(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select p.pool,
                   coalesce(sum(u.active_leases), 0)::bigint,
                   coalesce(sum(p.max_concurrent) filter (where u.state = 'active'), 0)::bigint
            from {_schema}.{UsageTables.Pools} p left join {_schema}.{UsageTables.Usage} u on u.pool = p.pool
            group by p.pool
            """);
        var usage = new List<PoolUsage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            usage.Add(new PoolUsage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        }

        metrics.Usage = usage;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UsageMetricsInterval, clock);
        do
        {
            try
            {
                await Sample(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSampleFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading pool usage for the lease gauges failed; they report the last reading until the next one")]
    private partial void LogSampleFailed(Exception exception);
}
