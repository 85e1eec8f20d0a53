using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Read models rebuilt from the event store: online through <c>./voicemesh rebuild</c> while status callbacks keep
/// arriving through the gateway, and from the events alone in a restored copy by the restore drill.
/// </summary>
public sealed class ReadModelRebuildSpecs(ReadModelRebuildSpecs.CallsWithAdmin fixture) : IClassFixture<ReadModelRebuildSpecs.CallsWithAdmin>
{
    private readonly Mesh _mesh = fixture.Mesh;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rebuild_under_load_leaves_identical_read_models_field_by_field()
    {
        var watch = Stopwatch.StartNew();
        var settled = Enumerable.Range(0, 40).Select(_ => Mesh.NewCallSid()).ToList();
        await Drive(settled, concurrency: 16, pause: TimeSpan.Zero);
        var before = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var callSid in settled)
        {
            before[callSid] = await _mesh.WaitForCall(callSid, Completed, TimeSpan.FromSeconds(30));
        }

        // The load: more calls whose callbacks arrive over a few seconds, before, during and after the rebuild.
        var live = Enumerable.Range(0, 60).Select(_ => Mesh.NewCallSid()).ToList();
        var load = Drive(live, concurrency: 6, pause: TimeSpan.FromMilliseconds(150));
        await Task.Delay(TimeSpan.FromMilliseconds(400), Ct);

        await Truncate("mt_doc_call");
        Assert.Null(await _mesh.GetCall(settled[0], Ct));
        var report = await Voicemesh("rebuild", "calls", "--projection", "Call");
        Assert.False(load.IsCompleted, "the load ended before the rebuild: nothing ran concurrently with it");
        var rebuilt = JsonDocument.Parse(report.Split('\n').First(line => line.StartsWith('{')))
            .RootElement.GetProperty("readModels").EnumerateArray().Single();
        Assert.Equal("Call", rebuilt.GetProperty("readModel").GetString());
        Assert.True(rebuilt.GetProperty("streams").GetInt32() >= settled.Count, report);
        await load;
        Assert.True(
            await _mesh.Calls[0].Writes("has events but no Call document", TimeSpan.FromSeconds(5)),
            "no callback arrived for a call whose document was gone: the rebuild did not run concurrently with appends");

        foreach (var callSid in live)
        {
            var call = await _mesh.WaitForCall(callSid, Completed, TimeSpan.FromSeconds(30));
            Assert.Equal(Mesh.Lifecycle, call.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
            Assert.Equal([0, 1, 2, 3, 4], call.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("sequenceNumber").GetInt32()));
            Assert.Equal(42, call.GetProperty("durationSeconds").GetInt32());
            Assert.Equal("outbound-api", call.GetProperty("direction").GetString());
        }

        foreach (var callSid in settled)
        {
            var after = await _mesh.GetCall(callSid, Ct);
            Assert.NotNull(after);
            AssertSameFields(before[callSid], after.Value, callSid);
        }

        // Every stream's document equals the stream aggregated live, compared by PostgreSQL as jsonb.
        using var verify = await Admin().GetAsync("/admin/read-models/verify?projection=Call", Ct);
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var verified = (await verify.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("readModels")[0];
        Assert.True(verified.GetProperty("streams").GetInt32() >= settled.Count + live.Count, verified.ToString());
        Assert.Equal(0, verified.GetProperty("mismatched").GetInt32());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task The_admin_endpoints_need_an_api_key_and_name_the_read_models()
    {
        using var anonymous = new HttpClient { BaseAddress = _mesh.Calls[0].BaseAddress };
        using var refused = await anonymous.PostAsync("/admin/read-models/rebuild", null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var gateway = await _mesh.Client.PostAsync("/admin/read-models/rebuild", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, gateway.StatusCode);

        using var unknown = await Admin().PostAsync("/admin/read-models/rebuild?projection=Nothing", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var listed = await Admin().GetFromJsonAsync<JsonElement>("/admin/read-models", Ct);
        Assert.Superset(
            new HashSet<string> { "Call", "CallPlacement", "QueueDequeues" },
            listed.GetProperty("readModels").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToHashSet());
    }

    [Fact]
    public async Task The_restore_drill_rebuilds_the_call_read_models_from_the_events_of_a_dump_and_passes()
    {
        var calls = Enumerable.Range(0, 20).Select(_ => Mesh.NewCallSid()).ToList();
        await Drive(calls, concurrency: 10, pause: TimeSpan.Zero);
        foreach (var callSid in calls)
        {
            await _mesh.WaitForCall(callSid, Completed, TimeSpan.FromSeconds(30));
        }

        var output = await ProcessRunnerOutput(
            RepositoryPaths.Script("deploy/local/restore-drill.sh"),
            "--postgres", fixture.Postgres, "--schema", _mesh.CallsEnvironment["Marten__Schema"],
            "--service-dll", RepositoryPaths.ProjectAssembly("VoiceMesh.Calls"));

        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.Contains("restore drill: PASS", output, StringComparison.Ordinal);
        Assert.Matches(@"restore drill: schema \S+, \d+ events, \d+ documents in \d+ tables compared, 0 differ", output);
    }

    private static bool Completed(JsonElement call) =>
        call.GetProperty("status").GetString() == "completed" && call.GetProperty("history").GetArrayLength() == 5;

    /// <summary>Sends each call's five status callbacks in order, <paramref name="pause"/> apart.</summary>
    private async Task Drive(IReadOnlyList<string> callSids, int concurrency, TimeSpan pause)
    {
        using var gate = new SemaphoreSlim(concurrency);
        await Task.WhenAll(callSids.Select(async callSid =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                for (var sequence = 0; sequence < Mesh.Lifecycle.Count; sequence++)
                {
                    using var response = await _mesh.PostStatus(Mesh.StatusCallback(callSid, Mesh.Lifecycle[sequence], sequence), $"{callSid}-{sequence}", Ct);
                    Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                    await Task.Delay(pause, Ct);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static void AssertSameFields(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected.ValueKind} before, {actual.ValueKind} after");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(
                    expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal),
                    actual.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
                foreach (var property in expected.EnumerateObject())
                {
                    AssertSameFields(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: {expected.GetArrayLength()} items before, {actual.GetArrayLength()} after");
                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertSameFields(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
            default:
                Assert.True(expected.GetRawText() == actual.GetRawText(), $"{path}: {expected.GetRawText()} before, {actual.GetRawText()} after");
                break;
        }
    }

    private async Task Truncate(string table)
    {
        await using var connection = new NpgsqlConnection(fixture.Postgres);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"truncate table {_mesh.CallsEnvironment["Marten__Schema"]}.{table}", connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private HttpClient Admin()
    {
        var client = new HttpClient { BaseAddress = _mesh.Calls[0].BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", Mesh.ApiKey);
        return client;
    }

    /// <summary>Runs <c>./voicemesh</c> as an operator would, against the test's Calls process; returns stdout and stderr.</summary>
    private Task<string> Voicemesh(params string[] arguments)
    {
        var state = Path.Combine(Path.GetTempPath(), "voicemesh-rebuild-" + Guid.NewGuid().ToString("N"));
        return ProcessRunnerOutput(
            Path.Combine(RepositoryPaths.Root, "voicemesh"),
            arguments,
            new Dictionary<string, string>
            {
                ["VOICEMESH_STATE"] = state,
                ["VOICEMESH_CALLS_PORT"] = $"{_mesh.Calls[0].BaseAddress.Port}",
                ["Gateway__ApiKeys__0"] = Mesh.ApiKey,
            });
    }

    private static Task<string> ProcessRunnerOutput(string file, params string[] arguments) =>
        ProcessRunnerOutput(file, arguments, new Dictionary<string, string>());

    private static async Task<string> ProcessRunnerOutput(string file, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = $"{await stdout}\n{await stderr}";
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}");
        return output;
    }

    /// <summary>The gateway and one Calls process whose admin endpoints accept the mesh's API key.</summary>
    public sealed class CallsWithAdmin(TestInfrastructure infrastructure) : IAsyncLifetime
    {
        public Mesh Mesh { get; private set; } = null!;

        public string Postgres => infrastructure.PostgresConnectionString;

        public async ValueTask InitializeAsync() =>
            Mesh = await Mesh.Start(
                await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString,
                callsSettings: new Dictionary<string, string> { ["Gateway__ApiKeys__0"] = Mesh.ApiKey },
                otherServices: Mesh.CallsAlone);

        public async ValueTask DisposeAsync()
        {
            if (Mesh is not null)
            {
                await Mesh.DisposeAsync();
            }
        }
    }
}
