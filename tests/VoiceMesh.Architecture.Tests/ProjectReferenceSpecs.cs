using System.Xml.Linq;
using VoiceMesh.Testing;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// References point one way: services and the gateway use Contracts and ServiceDefaults; Contracts uses nothing;
/// no service uses another service or the gateway; nothing outside tests/ uses tests/.
/// </summary>
public sealed class ProjectReferenceSpecs
{
    private static readonly IReadOnlyList<Project> Projects = LoadProjects();

    private sealed record Project(string Name, string Folder, IReadOnlyList<string> References, IReadOnlyList<string> Packages);

    private static List<Project> LoadProjects() =>
    [
        .. Directory.EnumerateFiles(RepositoryPaths.Root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}artifacts{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path =>
            {
                var xml = XDocument.Load(path);
                var folder = Path.GetRelativePath(RepositoryPaths.Root, path).Split(Path.DirectorySeparatorChar)[0];
                return new Project(
                    Path.GetFileNameWithoutExtension(path),
                    folder,
                    [.. xml.Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))],
                    [.. xml.Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value)]);
            }),
    ];

    [Fact]
    public void The_solution_has_the_projects_the_layout_names()
    {
        var names = Projects.Select(p => p.Name).ToList();

        Assert.Contains("VoiceMesh.Contracts", names);
        Assert.Contains("VoiceMesh.Gateway", names);
        Assert.Contains("VoiceMesh.ServiceDefaults", names);
        Assert.Contains("VoiceMesh.Calls", names);
    }

    [Fact]
    public void Contracts_reference_no_project_and_no_package()
    {
        var contracts = Projects.Single(p => p.Name == "VoiceMesh.Contracts");

        Assert.Empty(contracts.References);
        Assert.Empty(contracts.Packages);
    }

    private static bool IsServiceDefaults(string name) =>
        name == "VoiceMesh.ServiceDefaults" || name.StartsWith("VoiceMesh.ServiceDefaults.", StringComparison.Ordinal);

    [Fact]
    public void Services_and_the_gateway_reference_only_contracts_and_service_defaults()
    {
        var processes = Projects.Where(p => p.Folder is "services" or "gateway" && !IsServiceDefaults(p.Name)).ToList();

        Assert.Contains(processes, p => p.Name == "VoiceMesh.Calls");
        foreach (var project in processes)
        {
            Assert.All(project.References, r => Assert.True(r == "VoiceMesh.Contracts" || IsServiceDefaults(r), $"{project.Name} references {r}"));
        }
    }

    [Fact]
    public void Service_defaults_are_split_by_concern_and_reference_only_contracts_and_the_hosting_core()
    {
        var defaults = Projects.Where(p => p.Folder == "services" && IsServiceDefaults(p.Name)).ToList();

        Assert.Equal(
            ["VoiceMesh.ServiceDefaults", "VoiceMesh.ServiceDefaults.EventStore", "VoiceMesh.ServiceDefaults.Twilio"],
            defaults.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(defaults.Single(p => p.Name == "VoiceMesh.ServiceDefaults").References, r => Assert.Equal("VoiceMesh.Contracts", r));
        Assert.All(defaults.Where(p => p.Name != "VoiceMesh.ServiceDefaults").SelectMany(p => p.References),
            r => Assert.Equal("VoiceMesh.ServiceDefaults", r));
        Assert.DoesNotContain("Marten", defaults.Single(p => p.Name == "VoiceMesh.ServiceDefaults").Packages);
    }

    [Fact]
    public void The_gateway_takes_neither_the_event_store_nor_the_twilio_rest_client()
    {
        var gateway = Projects.Single(p => p.Name == "VoiceMesh.Gateway");

        Assert.Equal(["VoiceMesh.Contracts", "VoiceMesh.ServiceDefaults"], gateway.References.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("Marten", gateway.Packages);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var deps = Path.Combine(RepositoryPaths.Root, "artifacts", "bin", "VoiceMesh.Gateway", configuration, "VoiceMesh.Gateway.deps.json");
        Assert.True(File.Exists(deps), $"the gateway is not built: {deps} is missing");
        var dependencies = File.ReadAllText(deps);
        Assert.DoesNotContain("\"Marten/", dependencies, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Npgsql/", dependencies, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Microsoft.Extensions.Http.Resilience/", dependencies, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_outside_tests_references_tests()
    {
        var testProjects = Projects.Where(p => p.Folder == "tests").Select(p => p.Name).ToHashSet();
        foreach (var project in Projects.Where(p => p.Folder != "tests"))
        {
            Assert.DoesNotContain(project.References, testProjects.Contains);
        }
    }

    [Fact]
    public void MassTransit_stays_on_the_free_8_x_line()
    {
        var props = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Packages.props"));
        var versions = props.Descendants("PackageVersion")
            .Where(p => p.Attribute("Include")!.Value.StartsWith("MassTransit", StringComparison.Ordinal))
            .Select(p => p.Attribute("Version")!.Value)
            .ToList();

        Assert.NotEmpty(versions);
        Assert.All(versions, v => Assert.StartsWith("8.", v, StringComparison.Ordinal));
    }
}
