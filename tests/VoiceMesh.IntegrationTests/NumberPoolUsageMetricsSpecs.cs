using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using VoiceMesh.NumberPool;
using VoiceMesh.NumberPool.Leasing;
using VoiceMesh.NumberPool.Lifecycle;
using VoiceMesh.NumberPool.Pools;
using VoiceMesh.NumberPool.Provisioning;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// The caller-id lease gauges and acquisition counter on the service's own lease path and usage tables (a schema of
/// the shared PostgreSQL), in-process: a pool of 2 numbers limited to 2 calls each, leased and released.
/// </summary>
public sealed class NumberPoolUsageMetricsSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string PoolName = "metrics";
    private const string Destination = "+14155550199";
    private static readonly string[] Numbers = ["+14155550101", "+14155550102"];

    private IHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = infrastructure.PostgresConnectionString,
            ["Marten:Schema"] = TestInfrastructure.NewSchemaName("np_metrics"),
        });
        builder.AddEventStore("numberpool");
        builder.AddPools();
        builder.AddNumberLifecycle();
        builder.AddCallerIdLeasing();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(TimeProvider.System);
        _host = builder.Build();
        var store = _host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        var now = DateTimeOffset.UtcNow;
        var options = new NumberPoolOptions { PublicBaseUrl = "https://voice.example.com" };
        var commands = _host.Services.GetRequiredService<StreamCommands>();
        var definition = new PoolDefined(PoolName, ImmutableList<string>.Empty, new PoolLimits(2, null, null, null, null), "spec", now);
        await commands.Execute<Pool>(Pool.StreamId(PoolName), null, p => Pool.Define(p, definition), Ct);
        await using var session = store.LightweightSession();
        foreach (var number in Numbers)
        {
            session.Events.StartStream<Number>(
                number,
                new NumberProvisioningStarted(number, PoolName, "req-1", "spec", now),
                Activation.Of(number, "PN" + Guid.NewGuid().ToString("N"), PoolName, NumberOrigin.Purchased, options, "spec", now));
        }

        await session.SaveChangesAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task Three_leases_on_two_numbers_limited_to_two_read_3_active_and_0_75_then_2_and_0_5_after_a_release()
    {
        var meters = _host.Services.GetRequiredService<IMeterFactory>();
        using var active = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.numberpool.leases.active");
        using var utilization = new MetricCollector<double>(meters, VoiceMeshTelemetry.Name, "voicemesh.numberpool.utilization");
        using var acquisitions = new MetricCollector<long>(meters, VoiceMeshTelemetry.Name, "voicemesh.numberpool.acquisitions");
        var leases = _host.Services.GetRequiredService<CallerIdLeases>();
        var sampler = _host.Services.GetRequiredService<PoolUsageSampler>();

        var taken = new List<Lease>();
        for (var i = 0; i < 3; i++)
        {
            taken.Add(Assert.IsType<Lease>((await leases.Acquire(PoolName, Destination, null, TimeSpan.FromHours(1), Ct)).Lease));
        }

        await sampler.Sample(Ct);
        Assert.Equal((3, 0.75), Read(active, utilization));

        Assert.True(await leases.Release(taken[0].LeaseId, Ct));
        await sampler.Sample(Ct);
        Assert.Equal((2, 0.5), Read(active, utilization));

        Assert.NotNull((await leases.Acquire(PoolName, Destination, null, TimeSpan.FromHours(1), Ct)).Lease);
        Assert.NotNull((await leases.Acquire(PoolName, Destination, null, TimeSpan.FromHours(1), Ct)).Lease);
        Assert.Equal(Unavailability.PoolExhausted, (await leases.Acquire(PoolName, Destination, null, TimeSpan.FromHours(1), Ct)).Reason);
        Assert.Equal(Unavailability.UnknownPool, (await leases.Acquire("no-such-pool", Destination, null, TimeSpan.FromHours(1), Ct)).Reason);
        await sampler.Sample(Ct);
        Assert.Equal((4, 1.0), Read(active, utilization));
        var outcomes = acquisitions.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags[NumberPoolMetrics.OutcomeAttribute]!)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["leased"] = 5, ["pool-exhausted"] = 1, ["unknown-pool"] = 1 }, outcomes);
    }

    /// <summary>The pool's reading at a collection now.</summary>
    private static (long Active, double Utilization) Read(MetricCollector<long> active, MetricCollector<double> utilization)
    {
        active.RecordObservableInstruments();
        utilization.RecordObservableInstruments();
        return (
            active.GetMeasurementSnapshot().Last(m => (string?)m.Tags[NumberPoolMetrics.PoolAttribute] == PoolName).Value,
            utilization.GetMeasurementSnapshot().Last(m => (string?)m.Tags[NumberPoolMetrics.PoolAttribute] == PoolName).Value);
    }
}
