using System.Text.RegularExpressions;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;
using YamlDotNet.RepresentationModel;
using static VoiceMesh.Architecture.Tests.YamlFiles;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// docker-compose.yml starts each process once what it needs is healthy, checks each on its manifest ready path, and
/// takes every value from variables that .env.example names; docker-compose.simulator.yml runs the manifest's
/// simulator and sends every process's Twilio requests to it.
/// </summary>
public sealed partial class ComposeDeploymentSpecs
{
    private const string SimulatorFile = "docker-compose.simulator.yml";

    private static readonly ServiceManifest Manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));

    private static IEnumerable<ManifestProcess> Deployed => Manifest.Processes.Where(p => p.Role is ManifestProcess.GatewayRole or ManifestProcess.ServiceRole);

    [Fact]
    public void Every_process_has_a_health_check_on_its_ready_path_and_waits_for_what_it_needs_to_be_healthy()
    {
        var services = ComposeServices("docker-compose.yml");
        List<string> problems = [];
        foreach (var process in Deployed)
        {
            var service = services[process.Name];
            if (!HealthCheckGets(service, process.Health.Ready))
            {
                problems.Add($"compose service {process.Name} has no health check that GETs {process.Health.Ready}");
            }

            var needs = process.Role == ManifestProcess.GatewayRole ? Manifest.Services.Select(s => s.Name).Append("rabbitmq") : ["rabbitmq", "postgres"];
            foreach (var dependency in needs)
            {
                var condition = Scalar(Child(Child(service, "depends_on"), dependency), "condition");
                if (condition != "service_healthy")
                {
                    problems.Add($"compose service {process.Name} does not wait for {dependency} to be healthy ({condition ?? "no depends_on"})");
                }

                if (Child(services[dependency], "healthcheck") is null)
                {
                    problems.Add($"compose service {process.Name} waits for {dependency}, which has no health check");
                }
            }
        }

        AssertNone(problems);
    }

    [Fact]
    public void Env_example_names_every_variable_the_compose_files_read()
    {
        var example = File.ReadAllLines(RepositoryPaths.Script(".env.example"))
            .Where(line => !line.StartsWith('#') && line.Contains('=', StringComparison.Ordinal))
            .Select(line => line[..line.IndexOf('=', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.Ordinal);
        var read = new[] { "docker-compose.yml", SimulatorFile }
            .SelectMany(file => Variable().Matches(File.ReadAllText(RepositoryPaths.Script(file))).Select(m => m.Groups["name"].Value))
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(read);
        Assert.Empty(read.Except(example));
        Assert.Empty(example.Except(read));
        Assert.Contains(".env", File.ReadAllLines(RepositoryPaths.Script(".gitignore")));
    }

    [Fact]
    public void The_simulator_file_runs_the_manifest_simulator_and_points_every_process_at_it()
    {
        var simulator = Manifest.Processes.Single(p => p.Role == ManifestProcess.SimulatorRole);
        var services = ComposeServices(SimulatorFile);
        var service = services[simulator.Name];
        var args = Child(Child(service, "build"), "args");
        List<string> problems = [];
        if (Scalar(args, "PROJECT") != simulator.Project || Scalar(args, "ASSEMBLY") != simulator.Assembly)
        {
            problems.Add($"{SimulatorFile} does not build {simulator.Project}");
        }

        if (!HealthCheckGets(service, simulator.Health.Ready))
        {
            problems.Add($"the simulator's health check does not GET {simulator.Health.Ready}");
        }

        if (Scalar(Child(service, "environment"), "Simulator__ListenOnContainerNetwork") != "true")
        {
            problems.Add("the simulator does not listen on the compose network");
        }

        foreach (var process in Deployed)
        {
            var address = services.TryGetValue(process.Name, out var overridden) ? Scalar(Child(overridden, "environment"), "Twilio__ApiBaseUrl") : null;
            if (address is null || new Uri(address).Host != simulator.Name)
            {
                problems.Add($"{SimulatorFile} does not send {process.Name}'s Twilio requests to the simulator ({address ?? "unset"})");
            }

            if (Scalar(Child(Child(overridden, "depends_on"), simulator.Name), "condition") != "service_healthy")
            {
                problems.Add($"{process.Name} does not wait for the simulator to be healthy");
            }
        }

        AssertNone(problems);
    }

    private static bool HealthCheckGets(YamlMappingNode service, string path) =>
        Child(service, "healthcheck") is { } check
        && check.Children.TryGetValue(new YamlScalarNode("test"), out var test)
        && test is YamlSequenceNode command
        && command.Children.OfType<YamlScalarNode>().Any(a => Uri.TryCreate(a.Value, UriKind.Absolute, out var uri) && uri.AbsolutePath == path);

    private static void AssertNone(List<string> problems) => Assert.True(problems.Count == 0, string.Join('\n', problems));

    [GeneratedRegex(@"\$\{(?<name>[A-Z_][A-Z0-9_]*)")]
    private static partial Regex Variable();
}
