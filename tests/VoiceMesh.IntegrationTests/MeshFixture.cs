using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>One mesh (gateway and Calls as processes, the simulator in-process) shared by the specs of a class.</summary>
public class MeshFixture(TestInfrastructure infrastructure) : IAsyncLifetime
{
    public Mesh Mesh { get; private set; } = null!;

    /// <summary>The simulator's time scale: 0.01 runs calls 100 times faster than real time.</summary>
    protected virtual double TimeScale => 0.01;

    /// <summary>How many Calls processes compete for the same queues.</summary>
    protected virtual int CallsInstances => 1;

    /// <summary>The manifest services started besides the gateway and Calls; null starts them all.</summary>
    protected virtual IReadOnlyCollection<string>? OtherServices => null;

    /// <summary>Settings given to every process of the mesh besides its defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string>? EveryProcess(TestInfrastructure infrastructure) => null;

    /// <summary>Starts the mesh, then <see cref="Prepare"/>; a failure stops what was started (xUnit disposes nothing that failed to start).</summary>
    public async ValueTask InitializeAsync()
    {
        Mesh = await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString, callsInstances: CallsInstances, timeScale: TimeScale,
            otherServices: OtherServices, everyProcess: EveryProcess(infrastructure));
        try
        {
            await Prepare();
        }
        catch
        {
            await Mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>What a spec class needs in the mesh before its specs run (numbers, flows).</summary>
    protected virtual Task Prepare() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await Mesh.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
