using System.Reflection;
using System.Text.RegularExpressions;
using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// docs/architecture.md's message map names every message of VoiceMesh.Contracts, and for each one exactly the services
/// that consume it (each service's consumers, read from its build output).
/// </summary>
public sealed partial class MessageMapSpecs
{
    private const string Document = "docs/architecture.md";
    private static readonly ServiceManifest Manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));

    [Fact]
    public void The_map_names_every_contract_message_once()
    {
        var rows = Rows();
        var named = rows.SelectMany(r => r.Messages).ToList();

        Assert.Empty(Messages().Except(named, StringComparer.Ordinal).Order(StringComparer.Ordinal));
        Assert.Empty(named.Except(Messages(), StringComparer.Ordinal).Order(StringComparer.Ordinal));
        Assert.Empty(named.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public void Each_message_lists_exactly_the_services_that_consume_it()
    {
        var consumers = Manifest.Services
            .SelectMany(s => ProcessSettings.Of(s, Manifest).Consumers.Select(c => (c.Message, Service: ServiceName(s))))
            .ToLookup(c => c.Message, c => c.Service, StringComparer.Ordinal);
        var services = Manifest.Services.Select(ServiceName).ToList();
        List<string> problems = [];
        foreach (var row in Rows())
        {
            var listed = services.Where(s => Regex.IsMatch(WithoutAsides(row.ConsumedBy), $@"\b{s}\b")).ToHashSet(StringComparer.Ordinal);
            foreach (var message in row.Messages)
            {
                var actual = consumers[message].ToHashSet(StringComparer.Ordinal);
                if (!actual.SetEquals(listed))
                {
                    problems.Add($"{message}: {Document} says consumed by [{string.Join(", ", listed.Order())}], the services consume it in [{string.Join(", ", actual.Order())}]");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static string ServiceName(ManifestProcess process) => process.Assembly["VoiceMesh.".Length..];

    /// <summary>The cell without its parenthesised remarks, which may name other services.</summary>
    private static string WithoutAsides(string cell) => Aside().Replace(cell, "");

    /// <summary>The records of VoiceMesh.Contracts that travel as messages: every one not carried inside another.</summary>
    private static IReadOnlyList<string> Messages()
    {
        var records = typeof(Contracts.Calls.PlaceCall).Assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.GetMethod("<Clone>$") is not null)
            .ToList();
        var carried = records.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .SelectMany(p => p.PropertyType.IsGenericType ? p.PropertyType.GetGenericArguments() : [p.PropertyType])
            .ToHashSet();
        return [.. records.Where(t => !carried.Contains(t)).Select(t => t.Name)];
    }

    private sealed record Row(IReadOnlyList<string> Messages, string ConsumedBy);

    /// <summary>The rows of the table under "## Message map": the messages in backticks of the first cell, the third cell.</summary>
    private static List<Row> Rows()
    {
        var lines = File.ReadAllLines(RepositoryPaths.Script(Document))
            .SkipWhile(l => l != "## Message map")
            .SkipWhile(l => !l.StartsWith('|'))
            .TakeWhile(l => l.StartsWith('|'))
            .Skip(2)
            .ToList();
        Assert.NotEmpty(lines);
        return [.. lines.Select(l => l.Split('|')).Select(cells => new Row([.. Code().Matches(cells[1]).Select(m => m.Groups["name"].Value)], cells[3]))];
    }

    [GeneratedRegex(@"`(?<name>[A-Z][A-Za-z]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@"\([^()]*\)")]
    private static partial Regex Aside();
}
