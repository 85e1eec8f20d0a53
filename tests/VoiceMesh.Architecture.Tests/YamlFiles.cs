using VoiceMesh.Testing;
using YamlDotNet.RepresentationModel;

namespace VoiceMesh.Architecture.Tests;

/// <summary>Reading the repository's YAML files (compose, deploy/) as YamlDotNet nodes, for the specs that check them.</summary>
internal static class YamlFiles
{
    /// <summary>The first document of a file, by its path in the repository (or an absolute one).</summary>
    public static YamlMappingNode Load(string path)
    {
        using var reader = new StreamReader(RepositoryPaths.Script(path));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    public static YamlMappingNode? Child(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;

    public static string? Scalar(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? (child as YamlScalarNode)?.Value : null;

    /// <summary>A list of scalars, or none when the key is absent.</summary>
    public static IEnumerable<string> Strings(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence.Children.Select(c => ((YamlScalarNode)c).Value!)
            : [];

    /// <summary>A list of mappings, or none when the key is absent.</summary>
    public static IEnumerable<YamlMappingNode> Mappings(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence.Children.OfType<YamlMappingNode>()
            : [];

    public static YamlSequenceNode Sequence(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence
            : throw new InvalidDataException($"'{key}' is not a list");

    /// <summary>The services of a compose file, by name.</summary>
    public static Dictionary<string, YamlMappingNode> ComposeServices(string file) =>
        (Child(Load(file), "services") ?? throw new InvalidDataException($"{file} has no services"))
            .Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => (YamlMappingNode)e.Value, StringComparer.Ordinal);
}
