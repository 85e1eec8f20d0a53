using System.Text.RegularExpressions;
using VoiceMesh.Testing;

namespace VoiceMesh.Architecture.Tests;

/// <summary>
/// What the repository ships to a deployment: no secret in a configuration file (every appsettings*.json, everything
/// under deploy/, docker-compose.yml) and no container that runs as root.
/// </summary>
public sealed partial class DeploymentSecuritySpecs
{
    /// <summary>Build output, and what deploy/local/install.sh downloads (git ignores all of them).</summary>
    private static readonly string[] Skipped = ["bin", "obj", "artifacts", "node_modules", ".git", ".voicemesh", ".node", ".models", ".tools"];

    /// <summary>Values that look like secrets but are published ones, with why each may be committed.</summary>
    private static readonly Dictionary<string, string> Published = new(StringComparer.Ordinal)
    {
        ["Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="] =
            "Azurite's development account key, published by Microsoft and accepted by every Azurite",
    };

    /// <summary>The credentials of the throwaway loopback servers deploy/local starts for a developer or CI, and nothing else.</summary>
    private static readonly string[] LocalThrowaway = ["postgres", "guest", "S3RVER", "restore-drill"];

    [Fact]
    public void No_configuration_file_in_the_repository_holds_a_secret()
    {
        var files = ConfigurationFiles().ToList();
        Assert.Contains(files, f => f.EndsWith("docker-compose.yml", StringComparison.Ordinal));
        Assert.Contains(files, f => f.StartsWith("deploy/", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("appsettings.json", StringComparison.Ordinal));

        var findings = files.SelectMany(file => Secrets(file, File.ReadAllText(RepositoryPaths.Script(file)))).ToList();

        Assert.Empty(findings);
    }

    [Fact]
    public void The_secret_scan_finds_keys_tokens_passwords_and_secret_shaped_values_but_not_a_boolean_setting()
    {
        const string compose = """
            GATEWAY_API_KEY: vm_live_0f9e8d7c6b5a4f3e
            ConnectionStrings__Postgres: Host=db;Username=app;Password=hunter22;Database=vm
            RABBIT: amqp://app:s3cr3t@rabbitmq:5672/
            TWILIO: 0123456789abcdef0123456789abcdef
            AWS: AKIAABCDEFGHIJKLMNOP
            TWILIO_AUTH_TOKEN: ${TWILIO_AUTH_TOKEN:?set TWILIO_AUTH_TOKEN}
            RABBIT_OK: amqp://app:${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD}@rabbitmq:5672/
            DB_DEFAULT: ${DB_PASSWORD:-hunter22}
            Password=...;
            automountServiceAccountToken: false
            """;
        const string json = """{ "Twilio": { "AuthToken": "abc123", "AccountSid": "AC0123456789abcdef0123456789abcdef" } }""";

        var composeFindings = Secrets("docker-compose.yml", compose).ToList();
        var jsonFindings = Secrets("services/X/appsettings.json", json).ToList();
        var local = Secrets("deploy/local/postgres.sh", "echo \"Host=127.0.0.1;Username=postgres;Password=postgres\"").ToList();

        Assert.Equal(6, composeFindings.Count);
        Assert.Contains(composeFindings, f => f.Contains("DB_PASSWORD", StringComparison.Ordinal));
        Assert.Contains(composeFindings, f => f.Contains("GATEWAY_API_KEY", StringComparison.Ordinal));
        Assert.Contains(composeFindings, f => f.Contains("Password", StringComparison.Ordinal));
        Assert.Contains(composeFindings, f => f.Contains("URL password", StringComparison.Ordinal));
        Assert.Contains(composeFindings, f => f.Contains("32 hex digits", StringComparison.Ordinal));
        Assert.Contains(composeFindings, f => f.Contains("AWS access key", StringComparison.Ordinal));
        Assert.Contains("AuthToken", Assert.Single(jsonFindings), StringComparison.Ordinal);
        Assert.Empty(local);
    }

    [Fact]
    public void Every_dockerfile_runs_its_final_stage_as_a_non_root_user()
    {
        var dockerfiles = Files(RepositoryPaths.Root)
            .Where(f => Path.GetFileName(f) is var name && (name == "Dockerfile" || name.StartsWith("Dockerfile.", StringComparison.Ordinal) || name.EndsWith(".Dockerfile", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(dockerfiles);

        var rootful = dockerfiles
            .Select(file => (File: file, User: FinalUser(File.ReadAllLines(RepositoryPaths.Script(file)))))
            .Where(d => d.User is null || IsRoot(d.User))
            .Select(d => $"{d.File}: the final stage runs as {d.User ?? "root (no USER)"}");

        Assert.Empty(rootful);
    }

    [Theory]
    [InlineData("FROM a AS build\nUSER app\nFROM b\nENTRYPOINT x", null)]
    [InlineData("FROM b\nUSER $APP_UID\nUSER root\n", "root")]
    [InlineData("FROM b\nUSER 0:0\n", "0:0")]
    [InlineData("FROM b\nuser $APP_UID\n", "$APP_UID")]
    public void The_final_user_is_the_last_USER_after_the_last_FROM(string dockerfile, string? expected)
    {
        Assert.Equal(expected, FinalUser(dockerfile.Split('\n')));
    }

    private static string? FinalUser(IEnumerable<string> lines)
    {
        string? user = null;
        foreach (var line in lines.Select(l => l.Trim()))
        {
            if (Instruction().Match(line) is { Success: true } match)
            {
                var (keyword, argument) = (match.Groups["keyword"].Value.ToUpperInvariant(), match.Groups["argument"].Value.Trim());
                user = keyword == "FROM" ? null : keyword == "USER" ? argument : user;
            }
        }

        return user;
    }

    private static bool IsRoot(string user) =>
        user.Split(':')[0] is "root" or "0" || user.Length == 0;

    /// <summary>The repository's configuration files, relative and with '/'.</summary>
    private static IEnumerable<string> ConfigurationFiles() =>
        Files(RepositoryPaths.Root).Where(f =>
            f.StartsWith("deploy/", StringComparison.Ordinal)
            || Path.GetFileName(f).StartsWith("docker-compose", StringComparison.Ordinal)
            || (Path.GetFileName(f).StartsWith("appsettings", StringComparison.Ordinal) && f.EndsWith(".json", StringComparison.Ordinal)));

    private static IEnumerable<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(segment => Skipped.Contains(segment, StringComparer.Ordinal)));

    /// <summary>Each secret in <paramref name="text"/>, as "file:line: what".</summary>
    private static IEnumerable<string> Secrets(string file, string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var where = $"{file}:{i + 1}";
            foreach (Match setting in SecretSetting().Matches(lines[i]))
            {
                // Inside a compose reference the name is a variable's: ${NAME:?message} has no value, ${NAME:-default} its default.
                var reference = setting.Index >= 2 && lines[i].AsSpan(setting.Index - 2, 2) is "${";
                var value = setting.Groups["value"].Value;
                if (reference && value.StartsWith('?'))
                {
                    continue;
                }

                if (!Harmless(file, reference && value.StartsWith('-') ? value[1..] : value))
                {
                    yield return $"{where}: {setting.Groups["name"].Value} holds a literal value; read it from the environment";
                }
            }

            foreach (Match url in UrlPassword().Matches(lines[i]))
            {
                if (!Harmless(file, url.Groups["value"].Value))
                {
                    yield return $"{where}: a URL password is written in the file";
                }
            }

            foreach (Match hex in HexToken().Matches(lines[i]).Where(m => !Published.ContainsKey(m.Value)))
            {
                yield return $"{where}: 32 hex digits (the shape of a Twilio auth token) {hex.Value[..4]}...";
            }

            if (AwsKey().IsMatch(lines[i]))
            {
                yield return $"{where}: an AWS access key id";
            }

            if (lines[i].Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                yield return $"{where}: a private key";
            }

            foreach (Match blob in Base64Blob().Matches(lines[i]).Where(m => m.Value.Any(char.IsAsciiDigit) && m.Value.Any(char.IsAsciiLetterUpper) && m.Value.Any(char.IsAsciiLetterLower) && !Published.ContainsKey(m.Value)))
            {
                yield return $"{where}: a long base64 value {blob.Value[..4]}...";
            }
        }
    }

    /// <summary>A reference (<c>${VAR}</c>, <c>$VAR</c>, <c>$(...)</c>), a placeholder, nothing, a published value, or a local throwaway credential in deploy/local.</summary>
    private static bool Harmless(string file, string value) =>
        value.Length == 0
        || value is "true" or "false"
        || value.StartsWith('$')
        || value.StartsWith("...", StringComparison.Ordinal)
        || Published.ContainsKey(value)
        || (file.StartsWith("deploy/local/", StringComparison.Ordinal) && LocalThrowaway.Contains(value, StringComparer.Ordinal));

    /// <summary>A setting whose name says it holds a secret, and the literal after its ':' or '='.</summary>
    [GeneratedRegex("""(?i)(?<name>[A-Za-z0-9_.]*(?:token|secret|password|passwd|pwd|api[_-]?keys?|account[_-]?key|access[_-]?key|private[_-]?key)[A-Za-z0-9_.]*)["']?\s*[:=]\s*["']?(?<value>[^\s;"',}]*)""")]
    private static partial Regex SecretSetting();

    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://[^:/@\s]+:(?<value>[^@/\s]+)@")]
    private static partial Regex UrlPassword();

    [GeneratedRegex("(?<![0-9A-Za-z])[0-9a-fA-F]{32}(?![0-9A-Za-z])")]
    private static partial Regex HexToken();

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")]
    private static partial Regex AwsKey();

    [GeneratedRegex("(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")]
    private static partial Regex Base64Blob();

    [GeneratedRegex(@"^(?i)(?<keyword>FROM|USER)\s+(?<argument>.*)$")]
    private static partial Regex Instruction();
}
