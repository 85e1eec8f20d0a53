using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>What the recordings scenarios share: the backend and mesh they run on, how PostgreSQL runs, and the service's errors.</summary>
internal static class RecordingsMesh
{
    /// <summary>
    /// Runs <paramref name="scenario"/> on a mesh whose Recordings service archives into <paramref name="kind"/>, and
    /// stops the mesh and removes what the backend stored afterwards, however it ended.
    /// </summary>
    public static async Task<ScenarioResult> Run(
        string name, BackendKind kind, TestInfrastructure infrastructure, Func<Mesh, ArchiveBackend, Task<ScenarioResult>> scenario,
        CancellationToken cancellationToken)
    {
        ArchiveBackend? backend = null;
        Task<Mesh>? starting = null;
        Mesh? mesh = null;
        try
        {
            backend = await ArchiveBackend.Create(kind, infrastructure).WaitAsync(cancellationToken);
            starting = Start(infrastructure, backend);
            mesh = await starting.WaitAsync(cancellationToken);
            return await scenario(mesh, backend);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or JsonException or IOException
            or Twilio.Exceptions.TwilioException or Npgsql.NpgsqlException or Azure.RequestFailedException or Amazon.Runtime.AmazonServiceException)
        {
            Console.WriteLine($"  error                    {ex.Message}");
            if (mesh is not null)
            {
                PrintErrors(mesh);
            }

            return new ScenarioResult(name, false, ex.GetType().Name);
        }
        finally
        {
            if (starting is not null)
            {
                await PlacementScenario.Settle(starting);
                if (starting.IsCompletedSuccessfully)
                {
                    await starting.Result.DisposeAsync();
                }
            }

            if (backend is not null)
            {
                await backend.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The gateway and Recordings (on <paramref name="backend"/>) as processes, the simulator in-process: the services
    /// archiving never reaches would only take cores from these (idle, Conferences' 20 ms outbox polling alone takes
    /// ~12% of a core; Calls would look up, to link each archived recording, calls it never heard of).
    /// </summary>
    private static async Task<Mesh> Start(TestInfrastructure infrastructure, ArchiveBackend backend) =>
        await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString, callsInstances: 0, serviceSettings: backend.ServiceSettings,
            otherServices: [RecordingsService]);

    /// <summary>The manifest's name of the Recordings service.</summary>
    private const string RecordingsService = "recordings";

    public static string PostgresDurability =>
        Environment.GetEnvironmentVariable("VOICEMESH_PG_FAST") == "1"
            ? "fsync off (VOICEMESH_PG_FAST=1)"
            : "durable: fsync and synchronous commit on";

    /// <summary>The Recordings service's last warnings and errors.</summary>
    public static void PrintErrors(Mesh mesh)
    {
        var lines = mesh.Services["recordings"].RecentOutput.Split('\n')
            .Where(line => line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal)
                || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal)
                || line.Contains("\"LogLevel\":\"Warning\"", StringComparison.Ordinal))
            .TakeLast(5)
            .Select(line => line.Length > 700 ? line[..700] + "..." : line);
        Console.WriteLine($"  Recordings warnings and errors (last 5):\n{string.Join('\n', lines)}");
    }
}
