using k8s;
using k8s.Models;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// The custom resources deploy/k8s uses, as typed models for <see cref="KubernetesYaml"/>'s strict loader: KEDA's
/// ScaledObject and TriggerAuthentication, the RabbitMQ Cluster Operator's RabbitmqCluster. Each carries the fields
/// of its CRD that VoiceMesh may set, so a misspelt or unsupported field fails to load.
/// </summary>
internal static class KubernetesCustomResources
{
    public static IDictionary<string, Type> TypeMap { get; } = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["keda.sh/v1alpha1/ScaledObject"] = typeof(ScaledObject),
        ["keda.sh/v1alpha1/TriggerAuthentication"] = typeof(TriggerAuthentication),
        ["rabbitmq.com/v1beta1/RabbitmqCluster"] = typeof(RabbitmqCluster),
    };
}

internal abstract class CustomResource<TSpec> : IKubernetesObject<V1ObjectMeta>
    where TSpec : new()
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public TSpec Spec { get; set; } = new();
}

internal sealed class ScaledObject : CustomResource<ScaledObjectSpec>;

internal sealed class ScaledObjectSpec
{
    public ScaleTarget ScaleTargetRef { get; set; } = new();

    public int? MinReplicaCount { get; set; }

    public int? MaxReplicaCount { get; set; }

    public int? PollingInterval { get; set; }

    public int? CooldownPeriod { get; set; }

    public List<ScaleTrigger> Triggers { get; set; } = [];
}

internal sealed class ScaleTarget
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public string Name { get; set; } = "";
}

internal sealed class ScaleTrigger
{
    public string Type { get; set; } = "";

    public string? MetricType { get; set; }

    public Dictionary<string, string> Metadata { get; set; } = [];

    public TriggerAuthenticationRef? AuthenticationRef { get; set; }
}

internal sealed class TriggerAuthenticationRef
{
    public string Name { get; set; } = "";

    public string? Kind { get; set; }
}

internal sealed class TriggerAuthentication : CustomResource<TriggerAuthenticationSpec>;

internal sealed class TriggerAuthenticationSpec
{
    public List<SecretTargetRef> SecretTargetRef { get; set; } = [];
}

internal sealed class SecretTargetRef
{
    public string Parameter { get; set; } = "";

    public string Name { get; set; } = "";

    public string Key { get; set; } = "";
}

internal sealed class RabbitmqCluster : CustomResource<RabbitmqClusterSpec>;

internal sealed class RabbitmqClusterSpec
{
    public int? Replicas { get; set; }

    public string? Image { get; set; }

    public V1ResourceRequirements? Resources { get; set; }

    public RabbitmqPersistence? Persistence { get; set; }

    public RabbitmqConfiguration? Rabbitmq { get; set; }
}

internal sealed class RabbitmqPersistence
{
    public string? StorageClassName { get; set; }

    public ResourceQuantity? Storage { get; set; }
}

internal sealed class RabbitmqConfiguration
{
    public List<string> AdditionalPlugins { get; set; } = [];

    public string? AdditionalConfig { get; set; }
}
