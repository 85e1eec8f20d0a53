using k8s;
using k8s.Models;
using MassTransit;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static VoiceMesh.Architecture.Tests.YamlFiles;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// deploy/k8s loads with the KubernetesClient package's typed YAML loader in strict mode (an unknown field or kind
/// fails), its kustomizations name files that exist, and what it deploys agrees with deploy/mesh.json (names, ports,
/// probes), with the services (the queues KEDA watches are theirs, every environment variable names a setting the
/// process reads, and every setting it cannot start without is set) and with docker-compose.yml (the same variables).
/// </summary>
public sealed class KubernetesManifestSpecs
{
    private const string Root = "deploy/k8s";
    private const string HttpPort = "http";

    private static readonly ServiceManifest Manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));
    private static readonly Lazy<IReadOnlyList<object>> Base = new(() => LoadFolder($"{Root}/base"));

    private static IEnumerable<ManifestProcess> Deployed => Manifest.Processes.Where(p => p.Role is ManifestProcess.GatewayRole or ManifestProcess.ServiceRole);

    [Fact]
    public void Every_manifest_loads_with_the_typed_loader_in_strict_mode()
    {
        var files = Directory.GetFiles(RepositoryPaths.Script(Root), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .ToList();

        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.NotEmpty(LoadFile(file)));
    }

    [Fact]
    public void The_strict_loader_refuses_a_misspelt_field_and_an_unknown_kind()
    {
        const string misspelt = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: calls
            spec:
              replicaz: 2
            """;
        const string misspeltTrigger = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata:
              name: calls
            spec:
              scaleTargetRef:
                name: calls
              triggers:
                - type: rabbitmq
                  metdata:
                    queueName: q
            """;
        const string unknownKind = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledJob
            metadata:
              name: calls
            """;

        Assert.ThrowsAny<YamlException>(() => LoadManifests(misspelt));
        Assert.ThrowsAny<YamlException>(() => LoadManifests(misspeltTrigger));
        Assert.ThrowsAny<Exception>(() => LoadManifests(unknownKind));
    }

    [Fact]
    public void Kustomizations_name_files_that_exist_and_images_the_base_runs()
    {
        var images = Of<V1Deployment>(Base.Value).SelectMany(d => d.Spec.Template.Spec.Containers).Select(c => c.Image).ToHashSet(StringComparer.Ordinal);
        List<string> problems = [];
        foreach (var kustomization in Directory.GetFiles(RepositoryPaths.Script(Root), "kustomization.yaml", SearchOption.AllDirectories))
        {
            var folder = Path.GetDirectoryName(kustomization)!;
            var root = YamlFiles.Load(kustomization);
            var named = Strings(root, "resources").Concat(Mappings(root, "patches").Select(p => Scalar(p, "path")).OfType<string>());
            foreach (var path in named)
            {
                var full = Path.GetFullPath(Path.Combine(folder, path));
                if (!File.Exists(full) && !File.Exists(Path.Combine(full, "kustomization.yaml")))
                {
                    problems.Add($"{Relative(kustomization)} names {path}, which is neither a file nor a kustomization");
                }
            }

            problems.AddRange(Mappings(root, "images")
                .Select(i => Scalar(i, "name"))
                .Where(name => name is null || !images.Contains(name))
                .Select(name => $"{Relative(kustomization)} retags image '{name}', which no Deployment of the base runs"));
        }

        AssertNone(problems);
    }

    [Fact]
    public void Every_deployed_process_has_a_deployment_a_service_a_disruption_budget_and_one_autoscaler()
    {
        var deployments = Of<V1Deployment>(Base.Value).ToDictionary(d => d.Metadata.Name, StringComparer.Ordinal);
        var services = Of<V1Service>(Base.Value).ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
        var budgets = Of<V1PodDisruptionBudget>(Base.Value).ToList();
        var autoscalers = Of<V2HorizontalPodAutoscaler>(Base.Value).Select(h => h.Spec.ScaleTargetRef.Name)
            .Concat(Of<ScaledObject>(Base.Value).Select(s => s.Spec.ScaleTargetRef.Name))
            .ToList();
        List<string> problems = [];
        foreach (var process in Deployed)
        {
            if (!deployments.TryGetValue(process.Name, out var deployment))
            {
                problems.Add($"deploy/k8s/base has no Deployment '{process.Name}'");
                continue;
            }

            var labels = deployment.Spec.Template.Metadata.Labels;
            if (!Selects(deployment.Spec.Selector.MatchLabels, labels))
            {
                problems.Add($"Deployment {process.Name}'s selector does not select its own pods");
            }

            var container = deployment.Spec.Template.Spec.Containers.Single();
            problems.AddRange(ContainerProblems(process, container));
            if (deployment.Spec.Template.Spec.SecurityContext?.RunAsNonRoot != true)
            {
                problems.Add($"Deployment {process.Name} may run as root");
            }

            if (!services.TryGetValue(process.Name, out var service))
            {
                problems.Add($"deploy/k8s/base has no Service '{process.Name}'");
            }
            else if (!Selects(service.Spec.Selector, labels) || service.Spec.Ports.All(p => p.TargetPort?.Value != HttpPort))
            {
                problems.Add($"Service {process.Name} does not send port {HttpPort} of Deployment {process.Name}'s pods");
            }

            if (!budgets.Any(b => Selects(b.Spec.Selector.MatchLabels, labels)))
            {
                problems.Add($"no PodDisruptionBudget selects the pods of {process.Name}");
            }

            var scalers = autoscalers.Count(a => a == process.Name);
            if (scalers != 1)
            {
                problems.Add($"{scalers} autoscalers (HorizontalPodAutoscaler or ScaledObject) target {process.Name}; KEDA and an HPA on one Deployment fight");
            }
        }

        problems.AddRange(deployments.Keys.Except(Deployed.Select(p => p.Name)).Select(name => $"Deployment '{name}' is no process of deploy/mesh.json"));
        AssertNone(problems);
    }

    [Fact]
    public void The_gateway_routes_every_service_to_its_kubernetes_service_port()
    {
        var environment = Environment(Manifest.Gateway.Name);
        var services = Of<V1Service>(Base.Value).ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
        List<string> problems = [];
        foreach (var service in Manifest.Services)
        {
            var name = $"ReverseProxy__Clusters__{service.Name}__Destinations__primary__Address";
            var address = environment.SingleOrDefault(e => e.Name == name)?.Value;
            if (address is null || !Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                problems.Add($"the gateway's Deployment sets no address {name}");
            }
            else if (!services.TryGetValue(uri.Host, out var target) || target.Spec.Ports.All(p => p.Port != uri.Port) || uri.Host != service.Name)
            {
                problems.Add($"{name} is {address}: not a port of the Service '{service.Name}'");
            }
        }

        AssertNone(problems);
    }

    [Fact]
    public void Every_queue_KEDA_watches_is_one_its_service_consumes_and_KEDA_reads_the_services_broker()
    {
        var authentications = Of<TriggerAuthentication>(Base.Value).ToDictionary(a => a.Metadata.Name, StringComparer.Ordinal);
        List<string> problems = [];
        foreach (var scaled in Of<ScaledObject>(Base.Value))
        {
            var process = Manifest.Processes.Single(p => p.Name == scaled.Spec.ScaleTargetRef.Name);
            var queues = ConsumerQueues(process);
            var broker = Environment(process.Name).Single(e => e.Name == "ConnectionStrings__RabbitMq").ValueFrom.SecretKeyRef;
            foreach (var trigger in scaled.Spec.Triggers.Where(t => t.Type == "rabbitmq"))
            {
                var queue = trigger.Metadata.GetValueOrDefault("queueName");
                if (queue is null || !queues.Contains(queue))
                {
                    problems.Add($"ScaledObject {scaled.Metadata.Name} watches queue '{queue}'; {process.Name} consumes {string.Join(", ", queues.Order(StringComparer.Ordinal))}");
                }

                var host = trigger.AuthenticationRef is { } reference && authentications.TryGetValue(reference.Name, out var authentication)
                    ? authentication.Spec.SecretTargetRef.SingleOrDefault(r => r.Parameter == "host")
                    : null;
                if (host is null || host.Name != broker.Name || host.Key != broker.Key)
                {
                    problems.Add($"ScaledObject {scaled.Metadata.Name} does not read its broker from {broker.Name}/{broker.Key}, as {process.Name} does");
                }
            }

            if (scaled.Spec.Triggers.All(t => t.Type != "cpu"))
            {
                problems.Add($"ScaledObject {scaled.Metadata.Name} does not scale on CPU");
            }
        }

        AssertNone(problems);
    }

    [Fact]
    public void Every_variable_names_a_setting_the_process_reads_and_every_setting_it_needs_is_set()
    {
        List<string> problems = [];
        foreach (var process in Deployed)
        {
            var settings = ProcessSettings.Of(process, Manifest);
            var names = Environment(process.Name).Select(e => e.Name).ToList();
            problems.AddRange(names.Where(n => !settings.Reads(n))
                .Select(n => $"deploy/k8s sets {n} for {process.Name}, which reads no such setting (sections: {string.Join(", ", settings.Sections)})"));
            problems.AddRange(settings.Required().Except(names, StringComparer.Ordinal)
                .Select(n => $"deploy/k8s does not set {n} for {process.Name}, which does not start without it"));
            problems.AddRange(names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{process.Name} sets {g.Key} twice"));
        }

        AssertNone(problems);
    }

    [Fact]
    public void Compose_and_kubernetes_set_the_same_variables_for_every_process()
    {
        List<string> problems = [];
        foreach (var process in Deployed)
        {
            var kubernetes = Environment(process.Name).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            var compose = ComposeEnvironment(process.Name).Where(n => n != "OTEL_SERVICE_NAME" || kubernetes.Contains(n)).ToHashSet(StringComparer.Ordinal);
            problems.AddRange(compose.Except(kubernetes).Select(n => $"docker-compose.yml sets {n} for {process.Name}; deploy/k8s does not"));
            problems.AddRange(kubernetes.Except(compose).Select(n => $"deploy/k8s sets {n} for {process.Name}; docker-compose.yml does not"));
        }

        AssertNone(problems);
    }

    [Fact]
    public void Every_config_map_key_exists_and_every_secret_is_documented()
    {
        var maps = Of<V1ConfigMap>(Base.Value).ToDictionary(m => m.Metadata.Name, StringComparer.Ordinal);
        var readme = File.ReadAllText(RepositoryPaths.Script($"{Root}/README.md"));
        var references = Of<V1Deployment>(Base.Value).SelectMany(d => d.Spec.Template.Spec.Containers).SelectMany(c => c.Env).Where(e => e.ValueFrom is not null).ToList();
        List<string> problems = [];
        foreach (var map in references.Select(e => e.ValueFrom.ConfigMapKeyRef).OfType<V1ConfigMapKeySelector>())
        {
            if (!maps.TryGetValue(map.Name, out var found) || !found.Data.ContainsKey(map.Key))
            {
                problems.Add($"ConfigMap {map.Name} has no key {map.Key}");
            }
        }

        foreach (var secret in references.Select(e => e.ValueFrom.SecretKeyRef).OfType<V1SecretKeySelector>().DistinctBy(s => (s.Name, s.Key)))
        {
            if (!readme.Contains($"| `{secret.Name}` |", StringComparison.Ordinal) || !readme.Contains($"`{secret.Key}`", StringComparison.Ordinal))
            {
                problems.Add($"deploy/k8s/README.md does not list secret {secret.Name} with key {secret.Key}");
            }
        }

        AssertNone(problems);
    }

    private static IEnumerable<string> ContainerProblems(ManifestProcess process, V1Container container)
    {
        if (container.Ports?.SingleOrDefault(p => p.Name == HttpPort) is not { ContainerPort: 8080 })
        {
            yield return $"{process.Name}'s container does not name port 8080 '{HttpPort}' (deploy/docker/Dockerfile listens there)";
        }

        if (container.Image != $"voicemesh/{process.Name}")
        {
            yield return $"{process.Name}'s container runs image {container.Image}, not voicemesh/{process.Name}";
        }

        foreach (var (kind, probe, path) in new[]
        {
            ("liveness", container.LivenessProbe, process.Health.Live),
            ("readiness", container.ReadinessProbe, process.Health.Ready),
            ("startup", container.StartupProbe, process.Health.Live),
        })
        {
            if (probe?.HttpGet is not { } get || get.Path != path || get.Port.Value != HttpPort)
            {
                yield return $"{process.Name}'s {kind} probe is not GET {path} on port {HttpPort} (deploy/mesh.json)";
            }
        }

        if (container.Resources?.Requests?.ContainsKey("cpu") != true || container.Resources?.Limits?.ContainsKey("memory") != true)
        {
            yield return $"{process.Name}'s container has no CPU request or no memory limit (CPU scaling needs the request)";
        }

        if (container.SecurityContext is not { AllowPrivilegeEscalation: false, ReadOnlyRootFilesystem: true })
        {
            yield return $"{process.Name}'s container may escalate privileges or write its root filesystem";
        }
    }

    /// <summary>The endpoint names MassTransit gives the process's consumers (kebab case, without "Consumer").</summary>
    private static HashSet<string> ConsumerQueues(ManifestProcess process) =>
        ProcessSettings.Of(process, Manifest).Consumers
            .Select(c => c.Consumer)
            .Select(name => KebabCaseEndpointNameFormatter.Instance.SanitizeName(name.EndsWith("Consumer", StringComparison.Ordinal) ? name[..^"Consumer".Length] : name))
            .ToHashSet(StringComparer.Ordinal);

    private static IList<V1EnvVar> Environment(string process) =>
        Of<V1Deployment>(Base.Value).Single(d => d.Metadata.Name == process).Spec.Template.Spec.Containers.Single().Env;

    /// <summary>The variables compose sets for a service: its own and those of the anchors it merges.</summary>
    private static IEnumerable<string> ComposeEnvironment(string service)
    {
        var compose = YamlFiles.Load("docker-compose.yml");
        var environment = Child(Child(Child(compose, "services"), service), "environment")
            ?? throw new InvalidDataException($"docker-compose.yml has no environment for {service}");
        foreach (var (key, value) in environment.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "<<")
            {
                foreach (var merged in ((YamlMappingNode)value).Children.Keys)
                {
                    yield return ((YamlScalarNode)merged).Value!;
                }
            }
            else
            {
                yield return name;
            }
        }
    }

    private static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    private static IEnumerable<T> Of<T>(IEnumerable<object> objects) => objects.OfType<T>();

    private static List<object> LoadFolder(string folder) =>
        [.. Directory.GetFiles(RepositoryPaths.Script(folder), "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").SelectMany(LoadFile)];

    private static List<object> LoadFile(string path)
    {
        try
        {
            return LoadManifests(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is YamlException or ArgumentException)
        {
            throw new InvalidDataException($"{Relative(path)} does not load: {ex.Message} {ex.InnerException?.Message}", ex);
        }
    }

    private static List<object> LoadManifests(string yaml) => KubernetesYaml.LoadAllFromString(yaml, KubernetesCustomResources.TypeMap, strict: true);

    private static string Relative(string path) => Path.GetRelativePath(RepositoryPaths.Root, path);

    private static void AssertNone(List<string> problems) => Assert.True(problems.Count == 0, string.Join('\n', problems));
}
