using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>What the recordings scenarios share: the mesh they run, how PostgreSQL runs, and the service's errors.</summary>
internal static class RecordingsMesh
{
    /// <summary>The mesh as deployed: the gateway, Calls and Recordings as processes, the simulator in-process.</summary>
    public static async Task<Mesh> Start(TestInfrastructure infrastructure) =>
        await Mesh.Start(await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString);

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
