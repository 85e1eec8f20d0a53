using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>What one scenario measured, and whether that meets its acceptance.</summary>
internal sealed record ScenarioResult(string Name, bool Passed, string Summary);

/// <summary>A benchmark scenario: starts what it measures on the shared infrastructure, and stops it again.</summary>
internal interface IScenario
{
    string Name { get; }

    Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken);
}

/// <summary>Facts about the machine a figure was taken on.</summary>
internal static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages, or n/a where /proc/loadavg does not exist.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
