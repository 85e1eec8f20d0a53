using System.Text.RegularExpressions;
using System.Xml.Linq;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;
using YamlDotNet.RepresentationModel;
using static VoiceMesh.Architecture.Tests.YamlFiles;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// <c>deploy/mesh.json</c> is the one place the topology is written: docker-compose.yml, the solution,
/// <c>./voicemesh</c> and the test fixture agree with it.
/// </summary>
public sealed class ServiceManifestSpecs
{
    private static readonly ServiceManifest Manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));

    private static IEnumerable<ManifestProcess> Deployed => Manifest.Processes.Where(p => p.Role is ManifestProcess.GatewayRole or ManifestProcess.ServiceRole);

    [Fact]
    public void Compose_runs_every_manifest_process_from_its_project()
    {
        var services = ComposeServices("docker-compose.yml");
        List<string> problems = [];
        foreach (var process in Deployed)
        {
            if (!services.TryGetValue(process.Name, out var service))
            {
                problems.Add($"docker-compose.yml has no service '{process.Name}'");
                continue;
            }

            var args = Child(Child(service, "build"), "args");
            if (Scalar(args, "PROJECT") != process.Project)
            {
                problems.Add($"compose service '{process.Name}' builds PROJECT '{Scalar(args, "PROJECT")}', the manifest says '{process.Project}'");
            }

            if (Scalar(args, "ASSEMBLY") != process.Assembly)
            {
                problems.Add($"compose service '{process.Name}' runs ASSEMBLY '{Scalar(args, "ASSEMBLY")}', the manifest says '{process.Assembly}'");
            }
        }

        AssertNone(problems);
    }

    [Fact]
    public void Compose_builds_no_process_the_manifest_does_not_name()
    {
        var built = ComposeServices("docker-compose.yml")
            .Where(s => Scalar(Child(Child(s.Value, "build"), "args"), "PROJECT") is not null)
            .Select(s => s.Key);

        AssertNone([.. built.Except(Deployed.Select(p => p.Name)).Select(name => $"docker-compose.yml builds '{name}', which deploy/mesh.json does not name")]);
    }

    [Fact]
    public void Compose_gateway_routes_every_manifest_service_to_its_container()
    {
        var environment = Child(ComposeServices("docker-compose.yml")[Manifest.Gateway.Name], "environment");
        List<string> problems = [];
        foreach (var service in Manifest.Services)
        {
            var setting = $"ReverseProxy__Clusters__{service.Name}__Destinations__primary__Address";
            var address = Scalar(environment, setting);
            if (address is null)
            {
                problems.Add($"the compose gateway's environment has no {setting}");
            }
            else if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Host != service.Name)
            {
                problems.Add($"{setting} is '{address}', not the compose service '{service.Name}'");
            }
        }

        AssertNone(problems);
    }

    [Fact]
    public void Every_manifest_project_is_in_the_solution_and_builds_its_assembly()
    {
        var solution = File.ReadAllText(RepositoryPaths.Script("VoiceMesh.sln"));
        List<string> problems = [];
        foreach (var process in Manifest.Processes)
        {
            var project = Path.Combine(RepositoryPaths.Root, process.Project, process.Assembly + ".csproj");
            if (!File.Exists(project))
            {
                problems.Add($"{process.Name}: {Path.GetRelativePath(RepositoryPaths.Root, project)} does not exist");
                continue;
            }

            var assemblyName = XDocument.Load(project).Descendants("AssemblyName").Select(e => e.Value).LastOrDefault();
            if (assemblyName is not null && assemblyName != process.Assembly)
            {
                problems.Add($"{process.Name}: {process.Assembly}.csproj builds assembly '{assemblyName}'");
            }

            var entry = $"\"{process.Assembly}\", \"{process.Project.Replace('/', '\\')}\\{process.Assembly}.csproj\"";
            if (!solution.Contains(entry, StringComparison.Ordinal))
            {
                problems.Add($"{process.Name}: VoiceMesh.sln does not list {entry}");
            }
        }

        AssertNone(problems);
    }

    [Fact]
    public void Voicemesh_reads_projects_and_ports_from_the_manifest()
    {
        var script = File.ReadAllText(RepositoryPaths.Script("voicemesh"));

        Assert.Contains("deploy/mesh.json", script, StringComparison.Ordinal);
        Assert.All(Manifest.Processes, p =>
        {
            Assert.DoesNotContain(p.Assembly, script, StringComparison.Ordinal);
            Assert.False(Regex.IsMatch(script, $@"(?<![0-9]){p.Port}(?![0-9])"), $"./voicemesh hard-codes {p.Name}'s port {p.Port}");
        });
    }

    [Fact]
    public void The_test_mesh_starts_processes_by_the_manifest()
    {
        var mesh = File.ReadAllText(RepositoryPaths.Script("tests/VoiceMesh.Testing/Mesh.cs"));

        Assert.Contains("ServiceManifest.Load(", mesh, StringComparison.Ordinal);
        Assert.All(Manifest.Processes, p => Assert.DoesNotContain($"\"{p.Assembly}\"", mesh, StringComparison.Ordinal));
    }

    private static void AssertNone(List<string> problems) => Assert.True(problems.Count == 0, string.Join('\n', problems));
}
