using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using VoiceMesh.NumberPool.Leasing;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Tests;

public sealed class NumberPoolMetricsSpecs : IDisposable
{
    private readonly ServiceProvider _provider = new ServiceCollection().AddMetrics().AddSingleton<NumberPoolMetrics>().BuildServiceProvider();

    private IMeterFactory Meters => _provider.GetRequiredService<IMeterFactory>();

    private NumberPoolMetrics Metrics => _provider.GetRequiredService<NumberPoolMetrics>();

    public void Dispose() => _provider.Dispose();

    [Theory]
    [InlineData(3, 4, 0.75)]
    [InlineData(0, 4, 0)]
    [InlineData(5, 4, 1)]
    [InlineData(0, 0, 1)]
    public void Utilization_is_active_leases_over_capacity_and_a_pool_that_can_lease_nothing_reads_full(long active, long capacity, double expected) =>
        Assert.Equal(expected, new PoolUsage("sales", active, capacity).Utilization, 6);

    [Fact]
    public void The_gauges_report_the_last_reading_per_pool()
    {
        using var active = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.numberpool.leases.active");
        using var utilization = new MetricCollector<double>(Meters, VoiceMeshTelemetry.Name, "voicemesh.numberpool.utilization");
        Metrics.Usage = [new PoolUsage("sales", 3, 4), new PoolUsage("support", 1, 10)];
        Metrics.Usage = [new PoolUsage("sales", 2, 4), new PoolUsage("support", 0, 10)];

        active.RecordObservableInstruments();
        utilization.RecordObservableInstruments();

        Assert.Equal("{lease}", active.Instrument!.Unit);
        Assert.Equal("1", utilization.Instrument!.Unit);
        Assert.Equal(new Dictionary<string, long> { ["sales"] = 2, ["support"] = 0 }, ByPool(active.GetMeasurementSnapshot()));
        Assert.Equal(new Dictionary<string, double> { ["sales"] = 0.5, ["support"] = 0 }, ByPool(utilization.GetMeasurementSnapshot()));
    }

    [Fact]
    public void Acquisitions_are_counted_by_outcome_with_the_pool_only_where_it_exists()
    {
        using var acquisitions = new MetricCollector<long>(Meters, VoiceMeshTelemetry.Name, "voicemesh.numberpool.acquisitions");

        Metrics.Acquisition("sales", null);
        Metrics.Acquisition("sales", null);
        Metrics.Acquisition("sales", Unavailability.PoolExhausted);
        Metrics.Acquisition("no-such-pool", Unavailability.UnknownPool);
        Metrics.Acquisition("sales", Unavailability.InvalidDestination);

        Assert.Equal("{request}", acquisitions.Instrument!.Unit);
        var counted = acquisitions.GetMeasurementSnapshot()
            .GroupBy(m => (Outcome: (string)m.Tags[NumberPoolMetrics.OutcomeAttribute]!, Pool: m.Tags.GetValueOrDefault(NumberPoolMetrics.PoolAttribute) as string))
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(
            new Dictionary<(string, string?), long>
            {
                [("leased", "sales")] = 2,
                [("pool-exhausted", "sales")] = 1,
                [("unknown-pool", null)] = 1,
                [("invalid-destination", null)] = 1,
            },
            counted);
    }

    private static Dictionary<string, T> ByPool<T>(IReadOnlyList<CollectedMeasurement<T>> measurements)
        where T : struct =>
        measurements.ToDictionary(m => (string)m.Tags[NumberPoolMetrics.PoolAttribute]!, m => m.Value);
}
