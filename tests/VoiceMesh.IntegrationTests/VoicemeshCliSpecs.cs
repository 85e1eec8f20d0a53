using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// <c>./voicemesh up --detach</c> brings up PostgreSQL, RabbitMQ, s3rver (for <c>BlobStorage__Backend=s3</c>), the
/// services and the gateway with the configuration it is given, a signed callback lands in the read model, and
/// <c>./voicemesh down</c> leaves no process behind. A failed
/// <c>up</c> says which process failed and leaves nothing behind either.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class VoicemeshCliSpecs
{
    [Fact]
    public async Task Up_uses_the_given_settings_serves_signed_callbacks_places_calls_on_the_simulator_and_down_stops_everything()
    {
        var ct = TestContext.Current.CancellationToken;
        var gatewayPort = FreePort.Next();
        var (state, environment) = NewRun(gatewayPort, FreePort.Next());
        var accountSid = "AC" + new string('2', 32);
        environment["TWILIO_ACCOUNT_SID"] = accountSid;
        environment["TWILIO_AUTH_TOKEN"] = "cli-token";
        environment["Gateway__PublicBaseUrl"] = "https://voice.example.org";
        environment["Gateway__ApiKeys__0"] = "cli-key";
        // No S3 endpoint configured: up starts s3rver and hands its settings to Recordings, which refuses to start without them.
        environment["BlobStorage__Backend"] = "s3";

        try
        {
            var output = await Voicemesh(environment, "up", "--detach");
            Assert.Contains($"account          {accountSid}", output, StringComparison.Ordinal);
            Assert.Contains("auth token       cli-token", output, StringComparison.Ordinal);
            Assert.Contains("api key          cli-key", output, StringComparison.Ordinal);
            var s3rver = Regex.Match(output, @"recordings to    s3, s3rver (http://127\.0\.0\.1:\d+/?), bucket recordings");
            Assert.True(s3rver.Success, output);
            using (var s3 = new HttpClient())
            {
                Assert.Contains("ListAllMyBucketsResult", await s3.GetStringAsync(s3rver.Groups[1].Value, ct), StringComparison.Ordinal);
            }

            var callSid = Mesh.NewCallSid();
            List<KeyValuePair<string, string>> form =
                [new("AccountSid", accountSid), new("CallSid", callSid), new("CallStatus", "completed")];
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}") };
            using var posted = await http.SendAsync(TwilioSignature.SignedPost(
                "cli-token", "https://voice.example.org/twilio/voice/status", new Uri("/twilio/voice/status", UriKind.Relative), form), ct);
            Assert.Equal(HttpStatusCode.NoContent, posted.StatusCode);

            http.DefaultRequestHeaders.Add("X-Api-Key", "cli-key");
            var deadline = Stopwatch.StartNew();
            string body;
            do
            {
                using var read = await http.GetAsync($"/api/calls/{callSid}", ct);
                body = await read.Content.ReadAsStringAsync(ct);
                if (read.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                await Task.Delay(200, ct);
            }
            while (deadline.Elapsed < TimeSpan.FromSeconds(30));

            Assert.Contains("\"status\":\"completed\"", body, StringComparison.Ordinal);

            using var placed = await http.PostAsJsonAsync("/api/calls", new { to = "+14155550123", twiml = "<Response/>" }, ct);
            Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
            var requestId = (await placed.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("requestId").GetString();
            deadline.Restart();
            do
            {
                using var read = await http.GetAsync($"/api/calls/requests/{requestId}", ct);
                body = await read.Content.ReadAsStringAsync(ct);
                if (body.Contains("\"callSid\":\"CA", StringComparison.Ordinal))
                {
                    break;
                }

                await Task.Delay(200, ct);
            }
            while (deadline.Elapsed < TimeSpan.FromSeconds(30));

            Assert.Contains("\"status\":\"placed\"", body, StringComparison.Ordinal);
        }
        finally
        {
            var pids = File.Exists(Path.Combine(state, "up.pids")) ? File.ReadAllLines(Path.Combine(state, "up.pids")) : [];
            var infraPids = Directory.EnumerateFiles(state, "*.pid", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(state, "postmaster.pid", SearchOption.AllDirectories))
                .Select(f => File.ReadLines(f).FirstOrDefault())
                .ToList();
            await Voicemesh(environment, "down");
            foreach (var pid in pids.Concat(infraPids).Select(p => int.TryParse(p, out var n) ? n : 0).Where(n => n > 0))
            {
                Assert.False(IsRunning(pid), $"process {pid} outlived ./voicemesh down");
            }

            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Up_fails_naming_the_process_whose_port_is_taken_stops_everything_it_started_and_the_next_up_works()
    {
        var ct = TestContext.Current.CancellationToken;
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var callsPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var gatewayPort = FreePort.Next();
        var (state, environment) = NewRun(gatewayPort, callsPort);

        try
        {
            var (exitCode, output) = await Run(environment, "up", "--detach");

            Assert.NotEqual(0, exitCode);
            Assert.Matches(new Regex($@"\bcalls\b.*\b{callsPort}\b"), output);
            Assert.False(File.Exists(Path.Combine(state, "up.pids")), "a failed up left up.pids behind");
            Assert.False(File.Exists(Path.Combine(state, "infra", "infra.env")), "a failed up left its infrastructure registered");
            var started = StartedPids(output);
            Assert.NotEmpty(started);
            Assert.All(started.Concat(ProcessesNaming(state)), pid => Assert.False(IsRunning(pid), $"process {pid} outlived the failed up:\n{output}"));

            taken.Stop();
            await Voicemesh(environment, "up", "--detach");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}") };
            using var ready = await http.GetAsync("/health/ready", ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        finally
        {
            taken.Dispose();
            var pids = File.Exists(Path.Combine(state, "up.pids")) ? File.ReadAllLines(Path.Combine(state, "up.pids")) : [];
            var running = pids.Select(p => int.TryParse(p, out var n) ? n : 0).Where(n => n > 0).Concat(ProcessesNaming(state)).ToList();
            await Voicemesh(environment, "down");
            Assert.All(running, pid => Assert.False(IsRunning(pid), $"process {pid} outlived ./voicemesh down"));
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>The pids <c>./voicemesh up</c> reports as it starts each process ("calls started: pid 123, ...").</summary>
    private static List<int> StartedPids(string output) =>
        [.. Regex.Matches(output, @" started: pid (\d+)").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Live processes whose command line names <paramref name="folder"/>: PostgreSQL and RabbitMQ of that state folder.</summary>
    private static IEnumerable<int> ProcessesNaming(string folder)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            bool naming;
            try
            {
                naming = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Contains(folder, StringComparison.Ordinal)
                    && IsRunning(pid);
            }
            catch (IOException)
            {
                continue;
            }

            if (naming)
            {
                yield return pid;
            }
        }
    }

    /// <summary>A state folder of its own and the settings that keep a run off the defaults' ports.</summary>
    private static (string State, Dictionary<string, string> Environment) NewRun(int gatewayPort, int callsPort)
    {
        var state = Directory.CreateTempSubdirectory("voicemesh-cli-").FullName;

        // PostgreSQL runs as the postgres user, which must be able to reach its data folder inside.
        File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101);
        return (state, new Dictionary<string, string>
        {
            ["VOICEMESH_STATE"] = state,
            ["VOICEMESH_CONFIGURATION"] = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name,
            ["VOICEMESH_NO_BUILD"] = "1",
            ["VOICEMESH_GATEWAY_PORT"] = $"{gatewayPort}",
            ["VOICEMESH_CALLS_PORT"] = $"{callsPort}",
            ["VOICEMESH_SIMULATOR_PORT"] = $"{FreePort.Next()}",
        });
    }

    private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static async Task<string> Voicemesh(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var (exitCode, output) = await Run(environment, arguments);
        Assert.True(exitCode == 0, $"./voicemesh {string.Join(' ', arguments)} exited {exitCode}:\n{output}");
        return output;
    }

    /// <summary>Runs <c>./voicemesh</c>; returns its exit code and its standard output followed by its standard error.</summary>
    private static async Task<(int ExitCode, string Output)> Run(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, "voicemesh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, $"{await stdout}\n{await stderr}");
    }
}
