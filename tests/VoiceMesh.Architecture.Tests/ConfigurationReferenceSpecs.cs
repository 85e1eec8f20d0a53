using VoiceMesh.ServiceDefaults.Hosting;
using VoiceMesh.Testing;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// docs/configuration.md's reference, "Every setting", lists each setting every process binds (read from the options
/// classes of its build output), under the process it belongs to or under "Every process", with the default a new
/// options object holds; nothing more.
/// </summary>
public sealed class ConfigurationReferenceSpecs
{
    private const string Document = "docs/configuration.md";
    private const string EveryProcess = "Every process";
    private static readonly ServiceManifest Manifest = ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));

    [Fact]
    public void Every_setting_of_every_process_is_documented_under_its_process_with_its_default()
    {
        var documented = Documented();
        var expected = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal) { [EveryProcess] = new(StringComparer.Ordinal) };
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var process in Manifest.Processes.Where(p => p.Role is ManifestProcess.GatewayRole or ManifestProcess.ServiceRole))
        {
            var own = expected[process.Name] = new(StringComparer.Ordinal);
            foreach (var (name, value, shared, property) in ProcessSettings.Of(process, Manifest).Settings())
            {
                (shared ? expected[EveryProcess] : own)[name] = value;
                properties[name] = property;
            }
        }

        List<string> problems = [];
        foreach (var (table, settings) in expected)
        {
            var rows = documented.GetValueOrDefault(table) ?? [];
            problems.AddRange(settings.Where(s => !rows.ContainsKey(s.Key)).Select(s => $"{table}: `{s.Key}` (default {s.Value}, {properties[s.Key]}) is not documented"));
            problems.AddRange(rows.Where(r => !settings.ContainsKey(r.Key)).Select(r => $"{table}: `{r.Key}` is documented, but {table} binds no such setting"));
            problems.AddRange(settings.Where(s => rows.TryGetValue(s.Key, out var shown) && shown != s.Value)
                .Select(s => $"{table}: `{s.Key}` is documented with default {rows[s.Key]}, the default is {s.Value}"));
        }

        problems.AddRange(documented.Keys.Except(expected.Keys).Select(t => $"{Document} has a table '{t}' for no process"));
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    /// <summary>The tables under "## Every setting": each "### title" with its rows' first cell (a setting in backticks) and second (its default).</summary>
    private static Dictionary<string, Dictionary<string, string>> Documented()
    {
        var tables = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        foreach (var line in File.ReadAllLines(RepositoryPaths.Script(Document)).SkipWhile(l => l != "## Every setting"))
        {
            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                current = tables[line[4..].Trim()] = new(StringComparer.Ordinal);
            }
            else if (current is not null && line.StartsWith("| `", StringComparison.Ordinal))
            {
                var cells = line.Split('|');
                current[cells[1].Trim().Trim('`')] = cells[2].Trim().Trim('`');
            }
        }

        Assert.NotEmpty(tables);
        return tables;
    }
}
