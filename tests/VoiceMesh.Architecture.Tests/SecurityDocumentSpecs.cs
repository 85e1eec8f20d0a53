using System.Text.RegularExpressions;
using VoiceMesh.Testing;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// SECURITY.md names, for every control, the tests that prove it as <c>`Class.Method`</c>: each must be a test method of
/// that class somewhere under tests/, so a renamed or deleted test cannot leave a control unproven on paper.
/// </summary>
public sealed partial class SecurityDocumentSpecs
{
    [Fact]
    public void Every_test_security_md_names_is_a_test_method_of_its_class()
    {
        var named = NamedTests(File.ReadAllText(RepositoryPaths.Script("SECURITY.md")));
        var tests = TestMethods(Directory.EnumerateFiles(RepositoryPaths.Script("tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(s => s is "bin" or "obj"))
            .Select(File.ReadAllText));

        Assert.True(named.Count >= 40, $"SECURITY.md names only {named.Count} tests");
        var missing = named.Except(tests).Order(StringComparer.Ordinal).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void The_check_reads_class_and_method_from_backticks_and_finds_facts_and_theories()
    {
        var named = NamedTests("- `FooSpecs.A_thing_happens`, `BarSpecs.Another_one` and `NotATest` or `x.y()`");
        var tests = TestMethods([
            """
            public sealed class FooSpecs
            {
                [Fact]
                public async Task A_thing_happens() { }

                public void Helper() { }
            }
            public sealed class BarSpecs(Fixture fixture) : IClassFixture<Fixture>
            {
                [Theory]
                [InlineData(1)]
                public void Another_one(int n) { }
            }
            """,
        ]);

        Assert.Equal(["BarSpecs.Another_one", "FooSpecs.A_thing_happens"], named.Order(StringComparer.Ordinal));
        Assert.Equal(["BarSpecs.Another_one", "FooSpecs.A_thing_happens"], tests.Order(StringComparer.Ordinal));
    }

    private static HashSet<string> NamedTests(string markdown) =>
        [.. NamedTest().Matches(markdown).Select(m => $"{m.Groups["class"].Value}.{m.Groups["method"].Value}")];

    /// <summary>Every <c>[Fact]</c> or <c>[Theory]</c> method as <c>Class.Method</c>, by the class declared before it.</summary>
    private static HashSet<string> TestMethods(IEnumerable<string> sources)
    {
        var methods = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var classes = ClassDeclaration().Matches(source).ToList();
            foreach (Match test in TestMethod().Matches(source))
            {
                if (classes.LastOrDefault(c => c.Index < test.Index) is { } declaring)
                {
                    methods.Add($"{declaring.Groups["name"].Value}.{test.Groups["name"].Value}");
                }
            }
        }

        return methods;
    }

    [GeneratedRegex(@"`(?<class>[A-Z][A-Za-z0-9]*Specs)\.(?<method>[A-Za-z0-9_]+)`")]
    private static partial Regex NamedTest();

    [GeneratedRegex(@"\bclass\s+(?<name>[A-Za-z0-9_]+)")]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"\[(?:Fact|Theory)[^\]]*\](?:\s*\[[^\]]*\])*\s*public\s+(?:async\s+)?(?:Task|void|ValueTask)\s+(?<name>[A-Za-z0-9_]+)\s*\(")]
    private static partial Regex TestMethod();
}
