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

    [Fact]
    public void Services_and_the_gateway_reference_only_contracts_and_service_defaults()
    {
        string[] allowed = ["VoiceMesh.Contracts", "VoiceMesh.ServiceDefaults"];
        foreach (var project in Projects.Where(p => p.Folder is "services" or "gateway" && p.Name != "VoiceMesh.ServiceDefaults"))
        {
            Assert.All(project.References, r => Assert.Contains(r, allowed));
        }
    }

    [Fact]
    public void Service_defaults_reference_only_contracts()
    {
        var defaults = Projects.Single(p => p.Name == "VoiceMesh.ServiceDefaults");

        Assert.All(defaults.References, r => Assert.Equal("VoiceMesh.Contracts", r));
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
