using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Npgsql;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// The machine and software a report was measured on: cores, memory, CPU model, kernel, OS, .NET, the PostgreSQL and
/// RabbitMQ the run used, the commit, and the load average and time at its start and end. A fact that cannot be read
/// here is null.
/// </summary>
internal sealed record MachineFacts
{
    public required int Cores { get; init; }

    /// <summary><c>MemTotal</c> of <c>/proc/meminfo</c>, in bytes.</summary>
    public long? MemoryBytes { get; init; }

    public string? CpuModel { get; init; }

    public string? Kernel { get; init; }

    public string? OperatingSystem { get; init; }

    public required string Runtime { get; init; }

    public string? PostgreSql { get; init; }

    public string? RabbitMq { get; init; }

    /// <summary>The commit checked out (<c>git rev-parse HEAD</c>), and whether the work tree differed from it.</summary>
    public string? Commit { get; init; }

    public bool? Modified { get; init; }

    public required string LoadAverageAtStart { get; init; }

    public string? LoadAverageAtEnd { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>What can be read before the infrastructure starts: everything but the servers' versions and the end.</summary>
    public static MachineFacts AtStart(DateTimeOffset now) => new()
    {
        Cores = Environment.ProcessorCount,
        MemoryBytes = ProcField("/proc/meminfo", "MemTotal") is { } kilobytes
            && long.TryParse(kilobytes.Split(' ')[0], CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null,
        CpuModel = ProcField("/proc/cpuinfo", "model name"),
        Kernel = ReadText("/proc/sys/kernel/osrelease")?.Trim(),
        OperatingSystem = ReadText("/etc/os-release")?.Split('\n')
            .Where(line => line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            .Select(line => line["PRETTY_NAME=".Length..].Trim('"'))
            .FirstOrDefault(),
        Runtime = RuntimeInformation.FrameworkDescription,
        Commit = Git("rev-parse", "HEAD")?.Trim(),
        Modified = Git("status", "--porcelain", "--untracked-files=no") is { } status ? status.Trim().Length > 0 : null,
        LoadAverageAtStart = Machine.LoadAverage(),
        StartedAt = now,
    };

    /// <summary>These facts with the versions of the run's PostgreSQL (<c>SHOW server_version</c>) and RabbitMQ (management API).</summary>
    public async Task<MachineFacts> WithServers(TestInfrastructure infrastructure, CancellationToken cancellationToken) => this with
    {
        PostgreSql = await PostgresVersion(infrastructure.PostgresConnectionString, cancellationToken),
        RabbitMq = await RabbitMqVersion(infrastructure.RabbitMqManagementUri, cancellationToken),
    };

    public MachineFacts Ended(DateTimeOffset now) => this with { LoadAverageAtEnd = Machine.LoadAverage(), EndedAt = now };

    private static async Task<string?> PostgresVersion(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var source = NpgsqlDataSource.Create(connectionString);
            await using var command = source.CreateCommand("show server_version");
            return (string?)await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task<string?> RabbitMqVersion(Uri management, CancellationToken cancellationToken)
    {
        try
        {
            using var client = TestInfrastructure.ManagementClient(management);
            var overview = await client.GetFromJsonAsync<JsonElement>("api/overview", cancellationToken);
            return overview.TryGetProperty("rabbitmq_version", out var version)
                ? $"{version.GetString()} (Erlang {overview.GetProperty("erlang_version").GetString()})"
                : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The value of the first <c>name : value</c> line of a /proc file, or null.</summary>
    private static string? ProcField(string path, string name) =>
        ReadText(path)?.Split('\n')
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == name)
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();

    private static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A git command's output in the repository, or null where git is missing or it is no work tree.</summary>
    private static string? Git(params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
