using System.Diagnostics;
using VoiceMesh.Testing;
using YamlDotNet.RepresentationModel;
using static VoiceMesh.Architecture.Tests.YamlFiles;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// How <c>./voicemesh up</c> runs PostgreSQL and RabbitMQ: in containers (deploy/local/infra.compose.yml, the images of
/// docker-compose.yml on loopback ports) when a Docker engine with Compose answers, else from the local binaries; and
/// what <c>VOICEMESH_INFRA</c> forces. The choice is <c>infra_kind</c> of deploy/local/lib.sh, run here with a stand-in
/// <c>docker</c> command that answers as an engine would or would not.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalInfrastructureSpecs
{
    private const string InfraFile = "deploy/local/infra.compose.yml";

    [Theory]
    [InlineData("", true, true, "docker")]
    [InlineData("", false, true, "local")]
    [InlineData("", true, false, "local")]
    [InlineData("local", true, true, "local")]
    [InlineData("docker", false, false, "docker")]
    public async Task Containers_are_chosen_when_an_engine_with_compose_answers_unless_told_otherwise(
        string setting, bool engineAnswers, bool hasCompose, string expected)
    {
        var (exit, output, errors) = await InfraKind(setting, engineAnswers, hasCompose);

        Assert.True(exit == 0, errors);
        Assert.Equal(expected, output.Trim());
    }

    [Fact]
    public async Task No_docker_command_at_all_means_the_local_binaries()
    {
        var (exit, output, errors) = await InfraKind("", engineAnswers: null, hasCompose: false);

        Assert.True(exit == 0, errors);
        Assert.Equal("local", output.Trim());
    }

    [Fact]
    public async Task Another_value_of_VOICEMESH_INFRA_is_refused_naming_it()
    {
        var (exit, _, errors) = await InfraKind("podman", engineAnswers: true, hasCompose: true);

        Assert.NotEqual(0, exit);
        Assert.Contains("VOICEMESH_INFRA must be local or docker, not 'podman'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void The_containers_are_the_deployments_images_on_loopback_with_health_checks_and_generated_passwords()
    {
        var deployment = ComposeServices("docker-compose.yml");
        var local = ComposeServices(InfraFile);

        Assert.Equal(["postgres", "rabbitmq"], local.Keys.Order(StringComparer.Ordinal));
        foreach (var name in new[] { "postgres", "rabbitmq" })
        {
            var service = local[name];
            Assert.Equal(Scalar(deployment[name], "image"), Scalar(service, "image"));
            Assert.NotNull(Child(service, "healthcheck"));
            Assert.All(Strings(service, "ports"), port => Assert.Matches(@"^127\.0\.0\.1:\$\{[A-Z_]+:\?[^}]+\}:\d+$", port));
            Assert.All(
                ((YamlMappingNode)Child(service, "environment")!).Children.Where(e => ((YamlScalarNode)e.Key).Value!.EndsWith("_PASS", StringComparison.Ordinal) || ((YamlScalarNode)e.Key).Value!.EndsWith("_PASSWORD", StringComparison.Ordinal)),
                e => Assert.Matches(@"^\$\{[A-Z_]+:\?[^}]+\}$", ((YamlScalarNode)e.Value).Value!));
        }
    }

    /// <summary>Runs <c>infra_kind</c> with a stand-in <c>docker</c> first on PATH (none when <paramref name="engineAnswers"/> is null).</summary>
    private static async Task<(int Exit, string Output, string Errors)> InfraKind(string setting, bool? engineAnswers, bool hasCompose)
    {
        var bin = Directory.CreateTempSubdirectory("voicemesh-docker-");
        try
        {
            if (engineAnswers is { } answers)
            {
                var docker = Path.Combine(bin.FullName, "docker");
                await File.WriteAllTextAsync(docker, $"""
                    #!/bin/sh
                    case "$1" in
                      info) exit {(answers ? 0 : 1)} ;;
                      compose) exit {(hasCompose ? 0 : 1)} ;;
                    esac
                    exit 2
                    """.ReplaceLineEndings("\n"), TestContext.Current.CancellationToken);
                File.SetUnixFileMode(docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var start = new ProcessStartInfo("/bin/bash", ["-c", "source \"$0\" && infra_kind", RepositoryPaths.Script("deploy/local/lib.sh")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // Nothing but the stand-in (if any) and timeout is on PATH: the machine's own docker client stays out of it.
            File.CreateSymbolicLink(Path.Combine(bin.FullName, "timeout"), "/usr/bin/timeout");
            start.Environment["PATH"] = bin.FullName;
            start.Environment["VOICEMESH_INFRA"] = setting;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (process.ExitCode, await output, await errors);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }
}
