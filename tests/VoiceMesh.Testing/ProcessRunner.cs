using System.Diagnostics;
using System.Text;

namespace VoiceMesh.Testing;

internal static class ProcessRunner
{
    /// <summary>Runs a script to completion and returns its standard output; a non-zero exit throws with its output.</summary>
    public static async Task<string> Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}.\n{stderr}");
        }

        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout.ToString().Trim()
            : throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
    }
}
