namespace VoiceMesh.Testing;

/// <summary>Where the repository and the build output of its projects are, seen from a test assembly.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built entry assembly of a project, in the same configuration as the running tests.</summary>
    public static string ProjectAssembly(string projectName)
    {
        // UseArtifactsOutput: artifacts/bin/<project>/<configuration>/<project>.dll
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var path = Path.Combine(Root, "artifacts", "bin", projectName, configuration, projectName + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{projectName} is not built at {path}; run 'dotnet build VoiceMesh.sln' first.", path);
    }

    public static string Script(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VoiceMesh.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No VoiceMesh.sln above {AppContext.BaseDirectory}.");
    }
}
