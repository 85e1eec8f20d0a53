using System.Text.RegularExpressions;
using VoiceMesh.Testing;

namespace VoiceMesh.Architecture.Tests;

/// <summary>TwiML is built with the Twilio SDK's TwiML classes, never written as strings in the services or the gateway.</summary>
public sealed partial class TwimlSourceSpecs
{
    private static readonly string[] ProductionFolders = ["services", "gateway"];

    [GeneratedRegex(@"""[^""\n]*</?(Response|Say|Play|Pause|Gather|Dial|Number|Enqueue|Leave|Record|Redirect|Hangup|Reject|Conference)\b")]
    private static partial Regex TwimlLiteral();

    [Fact]
    public void No_service_or_gateway_source_writes_a_twiml_verb_in_a_string()
    {
        var sources = ProductionFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        var offending = sources
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(l => TwimlLiteral().IsMatch(l.line))
            .Select(l => $"{Path.GetRelativePath(RepositoryPaths.Root, l.path)}:{l.i + 1}")
            .ToList();

        Assert.Contains(sources, p => p.EndsWith("FlowRenderer.cs", StringComparison.Ordinal));
        Assert.Empty(offending);
        Assert.Matches(TwimlLiteral(), "var twiml = \"<Response><Say>Hi</Say></Response>\";");
    }
}
