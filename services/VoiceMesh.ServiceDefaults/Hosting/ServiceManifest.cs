using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceMesh.ServiceDefaults.Hosting;

/// <summary>Health endpoints of one process.</summary>
public sealed record ManifestHealth(string Live, string Ready);

/// <summary>One process of the mesh as <c>deploy/mesh.json</c> names it.</summary>
public sealed record ManifestProcess
{
    public const string GatewayRole = "gateway";
    public const string ServiceRole = "service";
    public const string SimulatorRole = "simulator";

    public required string Name { get; init; }

    /// <summary><see cref="GatewayRole"/>, <see cref="ServiceRole"/> or <see cref="SimulatorRole"/>.</summary>
    public required string Role { get; init; }

    /// <summary>The project folder, relative to the repository root, e.g. <c>services/VoiceMesh.Calls</c>.</summary>
    public required string Project { get; init; }

    public required int Port { get; init; }

    /// <summary>The <c>/api/*</c> prefixes the gateway routes to this process.</summary>
    public IReadOnlyList<string> Api { get; init; } = [];

    /// <summary>The <c>/twilio/*</c> TwiML webhook paths the gateway validates and then proxies to this process.</summary>
    public IReadOnlyList<string> Twiml { get; init; } = [];

    /// <summary>
    /// The <c>/twilio/*</c> WebSocket paths (Media Streams) whose upgrade the gateway validates and then proxies to
    /// this process.
    /// </summary>
    [JsonPropertyName("websocket")]
    public IReadOnlyList<string> WebSocket { get; init; } = [];

    public required ManifestHealth Health { get; init; }

    /// <summary>The assembly the project builds: its folder name.</summary>
    public string Assembly => Project[(Project.LastIndexOf('/') + 1)..];
}

/// <summary>
/// The service manifest: every process of the mesh with its project, default port, API prefixes, TwiML paths and
/// health paths. It is the one place the topology is written; everything that routes to or starts a process
/// reads it or is checked against it.
/// </summary>
public sealed record ServiceManifest
{
    /// <summary>The manifest's file name, in <c>deploy/</c> of the repository and beside every built gateway.</summary>
    public const string FileName = "mesh.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public required IReadOnlyList<ManifestProcess> Processes { get; init; }

    public ManifestProcess Gateway => Processes.Single(p => p.Role == ManifestProcess.GatewayRole);

    public IEnumerable<ManifestProcess> Services => Processes.Where(p => p.Role == ManifestProcess.ServiceRole);

    public ManifestProcess this[string name] =>
        Processes.SingleOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"The service manifest names no process '{name}'.");

    public static ServiceManifest Parse(string json)
    {
        var manifest = JsonSerializer.Deserialize<ServiceManifest>(json, Json)
            ?? throw new InvalidDataException("The service manifest is empty.");
        var duplicate = manifest.Processes.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"The service manifest names process '{duplicate.Key}' twice.");
        }

        var taken = manifest.Processes.GroupBy(p => p.Port).FirstOrDefault(g => g.Count() > 1);
        if (taken is not null)
        {
            throw new InvalidDataException($"The service manifest gives port {taken.Key} to {string.Join(" and ", taken.Select(p => p.Name))}.");
        }

        return manifest;
    }

    public static ServiceManifest Load(string path) => Parse(File.ReadAllText(path));
}
