using System.Diagnostics.Metrics;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Leasing;

/// <summary>One pool's leases and capacity: the concurrent-call limits of its active numbers, summed.</summary>
public sealed record PoolUsage(string Pool, long ActiveLeases, long Capacity)
{
    /// <summary>Active leases over capacity, at most 1; a pool with no capacity can lease nothing and reads 1.</summary>
    public double Utilization => Capacity > 0 ? Math.Min(1.0, (double)ActiveLeases / Capacity) : 1.0;
}

/// <summary>
/// Caller-id lease metrics: acquisitions by outcome (a counter) and, per pool, active leases and utilization
/// (observable gauges). The gauges report the last <see cref="PoolUsage"/> reading <see cref="PoolUsageSampler"/>
/// stored, so a collection costs no query and cannot fail; every instance reports the same database-wide figures.
/// </summary>
public sealed class NumberPoolMetrics
{
    public const string PoolAttribute = "voicemesh.pool";
    public const string OutcomeAttribute = "outcome";
    public const string Leased = "leased";

    private readonly Counter<long> _acquisitions;
    private IReadOnlyList<PoolUsage> _usage = [];

    public NumberPoolMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        _acquisitions = meter.CreateCounter<long>(
            "voicemesh.numberpool.acquisitions", "{request}", "Caller-id requests, by outcome: leased or the reason there was no lease.");
        meter.CreateObservableGauge(
            "voicemesh.numberpool.leases.active",
            ActiveLeases,
            "{lease}",
            "Open caller-id leases per pool.");
        meter.CreateObservableGauge(
            "voicemesh.numberpool.utilization",
            Utilization,
            "1",
            "Open leases over the summed concurrent-call limits of the pool's active numbers (0..1).");
    }

    private IEnumerable<Measurement<long>> ActiveLeases() =>
        Usage.Select(p => new Measurement<long>(p.ActiveLeases, new KeyValuePair<string, object?>(PoolAttribute, p.Pool)));

    private IEnumerable<Measurement<double>> Utilization() =>
        Usage.Select(p => new Measurement<double>(p.Utilization, new KeyValuePair<string, object?>(PoolAttribute, p.Pool)));

    /// <summary>The last reading of every pool's usage.</summary>
    public IReadOnlyList<PoolUsage> Usage
    {
        get => Volatile.Read(ref _usage);
        set => Volatile.Write(ref _usage, value);
    }

    /// <summary>
    /// Counts one caller-id request. The pool is an attribute only where it exists (leased, exhausted): the names of
    /// unknown pools come from requests and would make unbounded series.
    /// </summary>
    public void Acquisition(string pool, Unavailability? refusal)
    {
        var outcome = new KeyValuePair<string, object?>(OutcomeAttribute, refusal?.ToWire() ?? Leased);
        if (refusal is null or Unavailability.PoolExhausted)
        {
            _acquisitions.Add(1, outcome, new KeyValuePair<string, object?>(PoolAttribute, pool));
        }
        else
        {
            _acquisitions.Add(1, outcome);
        }
    }
}
