namespace VoiceMesh.Testing;

/// <summary>Starts a <c>deploy/local</c> server script (<c>start DIR PORT</c>) and returns the line it prints for clients.</summary>
internal static class LocalScript
{
    public static async Task<string> Start(string script, string name, string package, string directory, int port, TimeSpan timeout)
    {
        try
        {
            var output = await ProcessRunner.Run(RepositoryPaths.Script(script), ["start", directory, $"{port}"], timeout);
            return output.Split('\n')[^1].Trim();
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException(
                $"{name} did not start. {script} installs it with npm into deploy/local/.node when missing (Node.js and npm from apt); "
                + $"install it beforehand with deploy/local/install.sh, or: npm install --prefix deploy/local/.node {package}\n{ex.Message}", ex);
        }
    }
}
