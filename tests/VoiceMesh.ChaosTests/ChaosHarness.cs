using System.Diagnostics;
using Npgsql;
using VoiceMesh.Testing;

namespace VoiceMesh.ChaosTests;

/// <summary>
/// A mesh on a RabbitMQ node and a PostgreSQL server of its own (so both can be stopped and started), every manifest
/// service and the gateway as real processes, the simulator standing in for Twilio, and the traffic streamed through
/// the gateway while faults are injected.
/// </summary>
internal sealed class ChaosHarness : IAsyncDisposable
{
    /// <summary>The queue Calls consumes status callbacks from.</summary>
    public const string CallbackQueue = "call-status-callback-received";

    private ChaosHarness(ChaosProfile profile, IBrokerNode broker, IPostgresServer postgres, string vhostUri, Mesh mesh)
    {
        Profile = profile;
        Broker = broker;
        Postgres = postgres;
        Mesh = mesh;
        Ledger = CallsLedger.Of(mesh);
        Queues = new VirtualHostQueues(broker.ManagementUri, vhostUri);
        Callbacks = new CallbackTraffic(mesh.Gateway.BaseAddress, Timeline, profile);
        Placements = new PlacementTraffic(mesh.Gateway.BaseAddress, Timeline, profile);
    }

    public ChaosProfile Profile { get; }

    public IBrokerNode Broker { get; }

    public IPostgresServer Postgres { get; }

    public Mesh Mesh { get; }

    public CallsLedger Ledger { get; }

    public VirtualHostQueues Queues { get; }

    public ChaosTimeline Timeline { get; } = new();

    public CallbackTraffic Callbacks { get; }

    public PlacementTraffic Placements { get; }

    public static async Task<ChaosHarness> Start(ChaosProfile profile)
    {
        var broker = await TestInfrastructure.StartBrokerNode();
        IPostgresServer? postgres = null;
        try
        {
            postgres = await TestInfrastructure.StartPostgresServer();
            var vhostUri = await TestInfrastructure.CreateVirtualHostAsync(broker.AmqpUri, broker.ManagementUri);
            var mesh = await Mesh.Start(
                vhostUri,
                postgres.ConnectionString,
                callsSettings: new Dictionary<string, string>
                {
                    // A call whose callbacks were lost with a killed gateway is asked about soon, not after the default two minutes.
                    ["Calls__Reconciliation__StaleAfter"] = "00:00:05",
                },
                otherServices: profile.AllServices ? null : Mesh.CallsAlone,
                everyProcess: new Dictionary<string, string> { ["DeadLetters__ManagementUrl"] = broker.ManagementUri.ToString() });
            return new ChaosHarness(profile, broker, postgres, vhostUri, mesh);
        }
        catch
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }

            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every process of the mesh by name: the gateway, Calls and the other manifest services.</summary>
    public IReadOnlyList<(string Name, ServiceProcess Process)> Processes =>
        [("calls", Mesh.Calls[0]), .. Mesh.Services.Select(s => (s.Key, s.Value)), ("gateway", Mesh.Gateway)];

    /// <summary>
    /// Injects one fault: <paramref name="inject"/> runs it and returns once it is lifted; then the steady phase resumes
    /// and the recovery is awaited (<see cref="AwaitRecovery"/>).
    /// </summary>
    public async Task<FaultRecord> Inject(string kind, string name, string description, Func<FaultRecord, Task> inject)
    {
        var fault = Timeline.Begin(kind, name, description);
        var injected = Stopwatch.StartNew();
        await inject(fault);
        fault.Duration = injected.Elapsed;
        var lifted = Timeline.Now;
        fault.RecoveredAfter = await AwaitRecovery(lifted);
        Timeline.BackToSteady();
        await Task.Delay(Profile.Steady);
        return fault;
    }

    /// <summary>
    /// Waits until a callback sent after <paramref name="lifted"/> was acknowledged and every callback acknowledged so
    /// far is applied in Calls' event store; null when that takes longer than the profile's recovery limit.
    /// </summary>
    public async Task<TimeSpan?> AwaitRecovery(TimeSpan lifted)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Profile.RecoveryLimit)
        {
            if (Callbacks.LastAcknowledged > lifted && await AllApplied(Callbacks.AcknowledgedKeys()))
            {
                return Timeline.Now - lifted;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        return null;
    }

    /// <summary>Whether Calls' event store holds a report of every one of <paramref name="keys"/> (false while it cannot be read).</summary>
    private async Task<bool> AllApplied(IReadOnlyCollection<(string CallSid, int SequenceNumber)> keys)
    {
        try
        {
            var applied = (await Ledger.Applied([.. keys.Select(k => k.CallSid).Distinct()], CancellationToken.None))
                .Select(a => (a.CallSid, a.SequenceNumber ?? -1))
                .ToHashSet();
            return keys.All(applied.Contains);
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Callbacks.Dispose();
        Placements.Dispose();
        Queues.Dispose();
        await Ledger.DisposeAsync();
        await Mesh.DisposeAsync();
        await Postgres.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
