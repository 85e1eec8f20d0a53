using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Dead letters and their replay (issue 15), on a real mesh. The fault is the one issue 15 found: PostgreSQL down for
/// longer than Calls holds a message through an outage (<c>Messaging__OutageHold</c>, 5 s here), so acknowledged status
/// webhooks reach <c>call-status-callback-received_error</c> carrying the database error. The fix is the database
/// coming back, which a test can do for real on a PostgreSQL server of its own; the operator then lists the error
/// queue, reads the exception and replays the messages with <c>./voicemesh dead-letters replay</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeadLetterReplaySpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string ErrorQueue = "call-status-callback-received_error";
    private const string Api = "/api/admin/dead-letters";

    private IPostgresServer _postgres = null!;
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync()
    {
        _postgres = await TestInfrastructure.StartPostgresServer();
        var vhost = await infrastructure.CreateVirtualHostAsync();
        _mesh = await Mesh.Start(
            vhost,
            _postgres.ConnectionString,
            otherServices: Mesh.CallsAlone,
            callsSettings: new Dictionary<string, string>
            {
                ["Messaging__OutageHold"] = "00:00:05",
                ["Messaging__OutageRetryInterval"] = "00:00:01",
            },
            everyProcess: new Dictionary<string, string> { ["DeadLetters__ManagementUrl"] = infrastructure.RabbitMqManagementUri.ToString() });
    }

    public async ValueTask DisposeAsync()
    {
        await _mesh.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task A_webhook_dead_lettered_by_a_database_outage_is_listed_with_its_exception_and_applied_once_when_replayed_after_the_fix()
    {
        var ct = TestContext.Current.CancellationToken;
        var callSid = Mesh.NewCallSid();
        var token = Guid.NewGuid().ToString();

        // Twilio retries a webhook with the same idempotency token, so both deliveries carry one message id: two copies.
        await _postgres.StopAsync();
        for (var copy = 0; copy < 2; copy++)
        {
            using var posted = await _mesh.PostStatus(Mesh.StatusCallback(callSid, "ringing", 2), token, ct);
            Assert.Equal(HttpStatusCode.NoContent, posted.StatusCode);
        }

        var shown = await WaitForDeadLetters(2, TimeSpan.FromSeconds(90), ct);
        TestContext.Current.TestOutputHelper?.WriteLine(shown.ToString());
        var messages = shown.GetProperty("messages").EnumerateArray().ToList();
        var messageId = messages[0].GetProperty("messageId").GetString()!;
        Assert.All(messages, m =>
        {
            Assert.Equal(messageId, m.GetProperty("messageId").GetString());
            Assert.Contains("urn:message:VoiceMesh.Contracts.Calls:CallStatusCallbackReceived", m.GetProperty("messageTypes").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal("System.Net.Sockets.SocketException", m.GetProperty("exceptionType").GetString());
            Assert.Equal("Connection refused", m.GetProperty("exceptionMessage").GetString());
            Assert.Equal("VoiceMesh.Calls.Lifecycle.CallStatusCallbackReceivedConsumer", m.GetProperty("consumerType").GetString());
            Assert.EndsWith("/call-status-callback-received", m.GetProperty("inputAddress").GetString(), StringComparison.Ordinal);
            Assert.True(m.GetProperty("faultedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
            Assert.Equal(0, m.GetProperty("replays").GetInt32());
        });
        Assert.Equal("call-status-callback-received", shown.GetProperty("faultedOn").GetString());

        // Reading leaves them where they were.
        Assert.Equal(2, (await Show(ct)).GetProperty("messages").GetArrayLength());
        var listed = await WaitForListed(2, ct);
        Assert.Equal("call-status-callback-received", listed.GetProperty("faultedOn").GetString());

        // Replayed before the fix, they fault again and come back counted, carrying only their new fault.
        var early = JsonSerializer.Deserialize<JsonElement>(await Voicemesh(ct, "dead-letters", "replay", ErrorQueue, "--all"));
        Assert.Equal(2, early.GetProperty("moved").GetInt32());
        var refaulted = (await WaitForDeadLetters(2, TimeSpan.FromSeconds(90), ct, replays: 1)).GetProperty("messages").EnumerateArray().ToList();
        Assert.All(refaulted, m =>
        {
            Assert.Equal(messageId, m.GetProperty("messageId").GetString());
            Assert.Equal("System.Net.Sockets.SocketException", m.GetProperty("exceptionType").GetString());
            Assert.True(m.GetProperty("faultedAt").GetDateTimeOffset() > messages.Max(f => f.GetProperty("faultedAt").GetDateTimeOffset()));
        });

        // The fix: the database is back. Nothing re-applies the dead letters by itself.
        await _postgres.StartAsync();
        await WaitUntilDatabaseAnswers(ct);
        Assert.Null(await _mesh.GetCall(callSid, ct));

        var unknown = Guid.NewGuid().ToString();
        var replay = JsonSerializer.Deserialize<JsonElement>(await Voicemesh(ct, "dead-letters", "replay", ErrorQueue, messageId, unknown));
        Assert.Equal([messageId], replay.GetProperty("replayed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([unknown], replay.GetProperty("notFound").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, replay.GetProperty("moved").GetInt32());

        var call = await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "ringing", TimeSpan.FromSeconds(60));
        Assert.Single(call.GetProperty("history").EnumerateArray());

        // The second copy was consumed too, and changed nothing: one event, one processed-message record.
        await WaitUntilEmpty(ct);
        Assert.Equal(1, await Count($"select count(*) from {Schema}.mt_events where stream_id = @sid", callSid, ct));
        Assert.Equal(1, await Count($"select count(*) from {Schema}.mt_doc_processedmessage where id like @sid || '/%'", callSid, ct));

        // Replaying again finds nothing to move.
        var again = JsonSerializer.Deserialize<JsonElement>(await Voicemesh(ct, "dead-letters", "replay", ErrorQueue, messageId));
        Assert.Empty(again.GetProperty("replayed").EnumerateArray());
        Assert.Equal([messageId], again.GetProperty("notFound").EnumerateArray().Select(e => e.GetString()));
        Assert.Single((await _mesh.GetCall(callSid, ct))!.Value.GetProperty("history").EnumerateArray());
    }

    [Fact]
    public async Task Malformed_or_unauthenticated_dead_letter_requests_are_refused_with_problems()
    {
        var ct = TestContext.Current.CancellationToken;
        using (var anonymous = new HttpClient { BaseAddress = _mesh.Gateway.BaseAddress })
        {
            using var list = await anonymous.GetAsync(Api, ct);
            Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
            using var replayAll = await anonymous.PostAsync($"{Api}/{ErrorQueue}/replay", Json("""{"all":true}"""), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, replayAll.StatusCode);
        }

        await AssertProblem(await _mesh.Client.GetAsync($"{Api}/call-status-callback-received", ct), HttpStatusCode.BadRequest, "_error");
        await AssertProblem(await _mesh.Client.GetAsync($"{Api}/_error", ct), HttpStatusCode.BadRequest, "_error");
        await AssertProblem(await _mesh.Client.GetAsync($"{Api}/no-such-queue_error", ct), HttpStatusCode.NotFound, "no-such-queue_error");
        await AssertProblem(await _mesh.Client.GetAsync($"{Api}/{ErrorQueue}?limit=abc", ct), HttpStatusCode.BadRequest, "limit");
        await AssertProblem(await _mesh.Client.GetAsync($"{Api}/{ErrorQueue}?limit=0", ct), HttpStatusCode.BadRequest, "limit");

        var replay = $"{Api}/{ErrorQueue}/replay";
        await AssertProblem(await _mesh.Client.PostAsync(replay, Json("{\"messageIds\":[\"a\","), ct), HttpStatusCode.BadRequest, "JSON");
        await AssertProblem(await _mesh.Client.PostAsync(replay, Json("""{"messageIds":[1]}"""), ct), HttpStatusCode.BadRequest, "JSON");
        await AssertProblem(await _mesh.Client.PostAsync(replay, Json("{}"), ct), HttpStatusCode.BadRequest, "messageIds");
        await AssertProblem(await _mesh.Client.PostAsync(replay, Json("""{"messageIds":[]}"""), ct), HttpStatusCode.BadRequest, "empty");
        await AssertProblem(await _mesh.Client.PostAsync(replay, Json("""{"messageIds":[""]}"""), ct), HttpStatusCode.BadRequest, "non-empty");
        await AssertProblem(await _mesh.Client.PostAsync(replay, Json("""{"messageIds":["a"],"all":true}"""), ct), HttpStatusCode.BadRequest, "not both");
        await AssertProblem(
            await _mesh.Client.PostAsync(replay, new StringContent("""{"all":true}""", Encoding.UTF8, "text/plain"), ct),
            HttpStatusCode.UnsupportedMediaType, "application/json");
        await AssertProblem(
            await _mesh.Client.PostAsync($"{Api}/no-such-queue_error/replay", Json("""{"all":true}"""), ct), HttpStatusCode.NotFound, "no-such-queue_error");
        await AssertProblem(await _mesh.Client.PostAsync($"{Api}/calls/replay", Json("""{"all":true}"""), ct), HttpStatusCode.BadRequest, "_error");
    }

    private string Schema => _mesh.CallsEnvironment["Marten__Schema"];

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string mentions)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{response.RequestMessage?.RequestUri} answered {response.StatusCode}, not {status}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(mentions, body, StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> Show(CancellationToken cancellationToken)
    {
        using var response = await _mesh.Client.GetAsync($"{Api}/{ErrorQueue}", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {Api}/{ErrorQueue} answered {response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    /// <summary>The error queue's messages once it holds <paramref name="count"/> replayed <paramref name="replays"/> times.</summary>
    private async Task<JsonElement> WaitForDeadLetters(int count, TimeSpan timeout, CancellationToken cancellationToken, int replays = 0)
    {
        var waited = Stopwatch.StartNew();
        var last = "";
        while (waited.Elapsed < timeout)
        {
            using var response = await _mesh.Client.GetAsync($"{Api}/{ErrorQueue}", cancellationToken);
            last = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK
                && JsonSerializer.Deserialize<JsonElement>(last) is var shown
                && shown.GetProperty("messages").EnumerateArray().Count(m => m.GetProperty("replays").GetInt32() == replays) >= count)
            {
                return shown;
            }

            await Task.Delay(500, cancellationToken);
        }

        throw new TimeoutException($"{ErrorQueue} did not hold {count} messages within {timeout}; last answer: {last}");
    }

    /// <summary>The list (its counts come from the management API's statistics, refreshed every 5 s) once it shows the queue's count.</summary>
    private async Task<JsonElement> WaitForListed(int count, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var last = "";
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            last = await Voicemesh(cancellationToken, "dead-letters", "list");
            var queue = JsonSerializer.Deserialize<JsonElement>(last).GetProperty("queues").EnumerateArray()
                .FirstOrDefault(q => q.GetProperty("queue").GetString() == ErrorQueue);
            if (queue.ValueKind == JsonValueKind.Object && queue.GetProperty("messages").GetInt64() == count)
            {
                return queue;
            }

            await Task.Delay(1000, cancellationToken);
        }

        throw new TimeoutException($"./voicemesh dead-letters list did not show {count} messages in {ErrorQueue}; last: {last}");
    }

    private async Task WaitUntilEmpty(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while ((await Show(cancellationToken)).GetProperty("messages").GetArrayLength() > 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"{ErrorQueue} is not empty after the replay");
            await Task.Delay(500, cancellationToken);
        }
    }

    private async Task WaitUntilDatabaseAnswers(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var response = await _mesh.Client.GetAsync($"/api/calls/{Mesh.NewCallSid()}", cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"Calls still answers {response.StatusCode} after PostgreSQL restarted");
            await Task.Delay(500, cancellationToken);
        }
    }

    private async Task<long> Count(string sql, string callSid, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("sid", callSid);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Runs <c>./voicemesh</c> against this mesh's gateway and returns its standard output, failing on a non-zero exit.</summary>
    private async Task<string> Voicemesh(CancellationToken cancellationToken, params string[] arguments)
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

        var state = Path.Combine(Path.GetTempPath(), "voicemesh-dead-letters-" + Guid.NewGuid().ToString("N"));
        info.Environment["VOICEMESH_STATE"] = state;
        info.Environment["VOICEMESH_GATEWAY_URL"] = _mesh.Gateway.BaseAddress.ToString();
        info.Environment["Gateway__ApiKeys__0"] = Mesh.ApiKey;
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            Assert.True(process.ExitCode == 0, $"./voicemesh {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
            return await stdout;
        }
        finally
        {
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }
}
