using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Retention, legal hold, erasure and purge, end to end: real recordings made by the simulator's recorded calls,
/// archived to the filesystem by the Recordings service (a process), a retention of seconds and a purge job every
/// half second. Twilio keeps its copy here (<c>Recordings:DeleteAtTwilio=false</c>), so a purge must delete it.
/// </summary>
public sealed class RecordingRetentionSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private const string KeepTag = "keep";

    private static readonly Dictionary<string, string> Retention = new()
    {
        ["Recordings__DeleteAtTwilio"] = "false",
        ["Recordings__Retention__KeepFor"] = "00:00:08",
        ["Recordings__Retention__PurgeInterval"] = "00:00:00.500",
        ["Recordings__Retention__BatchSize"] = "2",
        ["Recordings__Retention__Policies__0__Name"] = "kept",
        ["Recordings__Retention__Policies__0__Tag"] = KeepTag,
    };

    private Mesh _mesh = null!;
    private string _vhost = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var uri = await infrastructure.CreateVirtualHostAsync();
        _vhost = new Uri(uri).AbsolutePath.Trim('/');
        _mesh = await Mesh.Start(uri, infrastructure.PostgresConnectionString, serviceSettings: Retention);
    }

    public ValueTask DisposeAsync() => _mesh.DisposeAsync();

    [Fact]
    public async Task Retention_purges_exactly_the_expired_unheld_recordings_once_with_two_instances_running_the_job()
    {
        var second = await _mesh.StartAnotherInstance("recordings");
        var expiring = await RecordCall("+14155550181");
        var tagged = await RecordCall("+14155550182");
        var held = await RecordCall("+14155550183");
        await Send(HttpMethod.Put, $"/api/recordings/{tagged.RecordingSid}/tags", new { tags = new[] { KeepTag } }, HttpStatusCode.OK);
        await Send(HttpMethod.Put, $"/api/recordings/{held.RecordingSid}/legal-hold", new { reason = "litigation", caseReference = "CASE-11" }, HttpStatusCode.OK);

        var purged = await WaitForRecording(expiring.RecordingSid, r => Is(r, "purged"), TimeSpan.FromSeconds(90));
        var heldArchived = await WaitForRecording(held.RecordingSid, r => Is(r, "archived"), TimeSpan.FromSeconds(60));
        var heldRunsOut = heldArchived.GetProperty("retention").GetProperty("purgeAfter").GetDateTimeOffset();
        await Task.Delay((heldRunsOut - DateTimeOffset.UtcNow).Duration() + TimeSpan.FromSeconds(3), Ct);

        Assert.Equal("retention", purged.GetProperty("purge").GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, purged.GetProperty("blobUri").ValueKind);
        Assert.False(File.Exists(BlobPath(expiring)), "the purged recording's file is still stored");
        Assert.Equal(1, TwilioDeletes(expiring.RecordingSid));
        var keptByPolicy = await GetRecording(tagged.RecordingSid);
        Assert.True(Is(keptByPolicy, "archived"), keptByPolicy.ToString());
        Assert.Equal("kept", keptByPolicy.GetProperty("retention").GetProperty("policy").GetString());
        Assert.Equal(JsonValueKind.Null, keptByPolicy.GetProperty("retention").GetProperty("purgeAfter").ValueKind);
        var keptByHold = await GetRecording(held.RecordingSid);
        Assert.True(Is(keptByHold, "archived") && keptByHold.GetProperty("legalHold").GetBoolean(), keptByHold.ToString());
        Assert.Equal("litigation", keptByHold.GetProperty("legalHoldReason").GetString());
        Assert.True(keptByHold.GetProperty("retention").GetProperty("purgeAfter").GetDateTimeOffset() < DateTimeOffset.UtcNow, "the held recording's retention has not run out yet");
        Assert.True(File.Exists(BlobPath(tagged)) && File.Exists(BlobPath(held)));
        Assert.Equal(0, TwilioDeletes(tagged.RecordingSid) + TwilioDeletes(held.RecordingSid));

        using var media = await _mesh.Client.GetAsync($"/api/recordings/{expiring.RecordingSid}/media", Ct);
        Assert.Equal(HttpStatusCode.Gone, media.StatusCode);
        Assert.Equal("application/problem+json", media.Content.Headers.ContentType?.MediaType);

        // Both instances ran the job all along; the recording was decided and purged once. The job's query has an index.
        Assert.Equal((1, 1), await PurgeEvents(expiring.RecordingSid));
        Assert.Contains(await RecordingIndexes(), index => index.Contains("(purge_due_at)", StringComparison.Ordinal));
        Assert.False(second.HasExited);

        // A redelivered PurgeRecording finds the recording purged and changes nothing.
        await RepublishPurge(expiring.RecordingSid);
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        Assert.Equal((1, 1), await PurgeEvents(expiring.RecordingSid));
        Assert.Equal(1, TwilioDeletes(expiring.RecordingSid));

        // Lifting the hold lets the run-out retention apply at the job's next run.
        await Send(HttpMethod.Delete, $"/api/recordings/{held.RecordingSid}/legal-hold", null, HttpStatusCode.OK);
        await WaitForRecording(held.RecordingSid, r => Is(r, "purged"), TimeSpan.FromSeconds(30));
        Assert.False(File.Exists(BlobPath(held)));

        // The Calls service lists each call's recording with where it stands.
        await _mesh.WaitForCall(expiring.CallSid, c => RecordingStatusOn(c, expiring.RecordingSid) == "purged", TimeSpan.FromSeconds(30));
        await _mesh.WaitForCall(tagged.CallSid, c => RecordingStatusOn(c, tagged.RecordingSid) == "archived", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task An_erasure_request_is_refused_while_held_then_purges_the_recording_at_once()
    {
        var recorded = await RecordCall("+14155550184");
        await WaitForRecording(recorded.RecordingSid, r => Is(r, "archived"), TimeSpan.FromSeconds(60));
        await Send(HttpMethod.Put, $"/api/recordings/{recorded.RecordingSid}/legal-hold", new { reason = "regulator inquiry", caseReference = "REG-7" }, HttpStatusCode.OK);

        using (var refused = await _mesh.Client.DeleteAsync($"/api/recordings/{recorded.RecordingSid}", Ct))
        {
            var problem = await refused.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("regulator inquiry", problem, StringComparison.Ordinal);
            Assert.Contains("REG-7", problem, StringComparison.Ordinal);
        }

        await Send(HttpMethod.Delete, $"/api/recordings/{recorded.RecordingSid}/legal-hold", null, HttpStatusCode.OK);
        var accepted = await Send(HttpMethod.Delete, $"/api/recordings/{recorded.RecordingSid}", null, HttpStatusCode.Accepted);
        Assert.Equal("erasure", accepted.GetProperty("purge").GetProperty("reason").GetString());

        var purged = await WaitForRecording(recorded.RecordingSid, r => Is(r, "purged"), TimeSpan.FromSeconds(30));
        Assert.Equal("erasure", purged.GetProperty("purge").GetProperty("reason").GetString());
        Assert.False(File.Exists(BlobPath(recorded)));
        Assert.Equal(1, TwilioDeletes(recorded.RecordingSid));
        await Send(HttpMethod.Delete, $"/api/recordings/{recorded.RecordingSid}", null, HttpStatusCode.Accepted);
        using var hold = await Put($"/api/recordings/{recorded.RecordingSid}/legal-hold", """{"reason":"too late"}""");
        Assert.Equal(HttpStatusCode.Conflict, hold.StatusCode);
        Assert.Equal((1, 1), await PurgeEvents(recorded.RecordingSid));
    }

    [Fact]
    public async Task A_recording_erased_before_twilio_finished_it_is_deleted_at_twilio_when_it_completes_and_never_stored()
    {
        var recordingSid = "RE" + Guid.NewGuid().ToString("N");
        var callSid = Mesh.NewCallSid();
        using (var inProgress = await _mesh.DeliverTwilio("/twilio/recording/status", Callback(recordingSid, callSid, "in-progress"), Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, inProgress.StatusCode);
        }

        await WaitForRecording(recordingSid, r => Is(r, "reported"), TimeSpan.FromSeconds(30));
        var accepted = await Send(HttpMethod.Delete, $"/api/recordings/{recordingSid}", null, HttpStatusCode.Accepted);
        Assert.Equal("reported", accepted.GetProperty("status").GetString());
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        Assert.Equal(0, TwilioDeletes(recordingSid));

        using (var completed = await _mesh.DeliverTwilio("/twilio/recording/status", Callback(recordingSid, callSid, "completed"), Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
        }

        var purged = await WaitForRecording(recordingSid, r => Is(r, "purged"), TimeSpan.FromSeconds(30));
        Assert.Equal("erasure", purged.GetProperty("purge").GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, purged.GetProperty("sha256").ValueKind);
        Assert.True(purged.GetProperty("deletedAtTwilio").GetBoolean());

        // The archive step and a late PurgeRecording may both ask Twilio (a repeat answers 20404); the purge is recorded once.
        Assert.InRange(TwilioDeletes(recordingSid), 1, 2);
        Assert.Equal((1, 1), await PurgeEvents(recordingSid));
        Assert.DoesNotContain(_mesh.Simulator.Control.Requests, r => r.Path.EndsWith($"/Recordings/{recordingSid}.wav", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_mesh.RecordingsDirectory) && Directory.EnumerateFiles(_mesh.RecordingsDirectory, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Every_retention_endpoint_answers_malformed_input_with_400_and_unknown_recordings_with_404_as_problem_json()
    {
        const string malformed = "RE-not-a-sid";
        var unknown = "RE" + Guid.NewGuid().ToString("N");
        const string hold = """{"reason":"audit"}""";

        await Expect(Put($"/api/recordings/{malformed}/legal-hold", hold), HttpStatusCode.BadRequest, "recordingSid");
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", "{}"), HttpStatusCode.BadRequest, "reason");
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", """{"reason":"   "}"""), HttpStatusCode.BadRequest, "reason");
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", """{"reason":"a\u0000b"}"""), HttpStatusCode.BadRequest, "reason");
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", $$"""{"reason":"x","caseReference":"{{new string('c', 201)}}"}"""), HttpStatusCode.BadRequest, "caseReference");
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", """{"reason":"""), HttpStatusCode.BadRequest, null);
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", "null"), HttpStatusCode.BadRequest, null);
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", hold, "text/plain"), HttpStatusCode.UnsupportedMediaType, null);
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", $$"""{"reason":"{{new string('r', 9000)}}"}"""), HttpStatusCode.RequestEntityTooLarge, null);
        await Expect(Put($"/api/recordings/{unknown}/legal-hold", hold), HttpStatusCode.NotFound, unknown);
        await Expect(_mesh.Client.DeleteAsync($"/api/recordings/{malformed}/legal-hold", Ct), HttpStatusCode.BadRequest, "recordingSid");
        await Expect(_mesh.Client.DeleteAsync($"/api/recordings/{unknown}/legal-hold", Ct), HttpStatusCode.NotFound, unknown);
        await Expect(Put($"/api/recordings/{malformed}/tags", """{"tags":["a"]}"""), HttpStatusCode.BadRequest, "recordingSid");
        await Expect(Put($"/api/recordings/{unknown}/tags", "{}"), HttpStatusCode.BadRequest, "tags");
        await Expect(Put($"/api/recordings/{unknown}/tags", """{"tags":["Not A Tag"]}"""), HttpStatusCode.BadRequest, "tags");
        await Expect(Put($"/api/recordings/{unknown}/tags", """{"tags":[null]}"""), HttpStatusCode.BadRequest, "tags");
        await Expect(Put($"/api/recordings/{unknown}/tags", JsonSerializer.Serialize(new { tags = Enumerable.Range(0, 21).Select(i => $"t{i}") })), HttpStatusCode.BadRequest, "tags");
        await Expect(Put($"/api/recordings/{unknown}/tags", """{"tags":"sales"}"""), HttpStatusCode.BadRequest, null);
        await Expect(Put($"/api/recordings/{unknown}/tags", """{"tags":["sales"]}""", "application/xml"), HttpStatusCode.UnsupportedMediaType, null);
        await Expect(Put($"/api/recordings/{unknown}/tags", """{"tags":["sales"]}"""), HttpStatusCode.NotFound, unknown);
        await Expect(_mesh.Client.DeleteAsync($"/api/recordings/{malformed}", Ct), HttpStatusCode.BadRequest, "recordingSid");
        await Expect(_mesh.Client.DeleteAsync($"/api/recordings/{unknown}", Ct), HttpStatusCode.NotFound, unknown);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        using var stillUnknown = await _mesh.Client.GetAsync($"/api/recordings/{unknown}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, stillUnknown.StatusCode);
    }

    [Fact]
    public async Task A_retention_policy_that_would_match_every_recording_stops_the_service_at_boot()
    {
        var environment = new Dictionary<string, string>(_mesh.EnvironmentOf("recordings"))
        {
            ["Recordings__Retention__Policies__1__Name"] = "everything",
            ["Recordings__Retention__Policies__1__KeepFor"] = "1.00:00:00",
        };
        var manifest = VoiceMesh.ServiceDefaults.Hosting.ServiceManifest.Load(RepositoryPaths.Script("deploy/mesh.json"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.Start(manifest["recordings"].Assembly, environment));

        Assert.Contains("Recordings:Retention:Policies:1 sets no AccountSid, Source or Tag", failure.Message, StringComparison.Ordinal);
    }

    private sealed record Recorded(string CallSid, string RecordingSid);

    /// <summary>Places a recorded call (2 s of talk at the mesh's time scale) and returns its sids once the Recordings service knows the recording.</summary>
    private async Task<Recorded> RecordCall(string to)
    {
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = to, Outcome = CallOutcomeKind.Human, RingSeconds = 1, TalkSeconds = 200 });
        var requestId = await _mesh.Place(new { to, twiml = "<Response><Pause length=\"200\"/></Response>", record = true });
        var placement = await _mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(60));
        var callSid = placement.GetProperty("callSid").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_mesh.Simulator.Control.Webhooks.FirstOrDefault(w => w.Kind == "recording" && w.CallSid == callSid) is { } callback)
            {
                var recordingSid = callback.Parameters["RecordingSid"];
                await WaitForRecording(recordingSid, _ => true, TimeSpan.FromSeconds(30));
                return new Recorded(callSid, recordingSid);
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"The simulator sent no recording callback for call {callSid}.");
    }

    private string BlobPath(Recorded recorded) =>
        Path.Combine(_mesh.RecordingsDirectory, Mesh.AccountSid, recorded.CallSid, recorded.RecordingSid + ".wav");

    private int TwilioDeletes(string recordingSid) => _mesh.Simulator.Control.Requests.Count(r =>
        r.Method == "DELETE" && r.Path.EndsWith($"/Recordings/{recordingSid}.json", StringComparison.Ordinal));

    private static bool Is(JsonElement recording, string status) => recording.GetProperty("status").GetString() == status;

    private static string? RecordingStatusOn(JsonElement call, string recordingSid) =>
        call.GetProperty("recordings").EnumerateArray()
            .Where(r => r.GetProperty("recordingSid").GetString() == recordingSid)
            .Select(r => r.GetProperty("status").GetString())
            .FirstOrDefault();

    private static List<KeyValuePair<string, string>> Callback(string recordingSid, string callSid, string status) =>
    [
        new("AccountSid", Mesh.AccountSid),
        new("CallSid", callSid),
        new("RecordingDuration", "3"),
        new("RecordingSid", recordingSid),
        new("RecordingSource", "OutboundAPI"),
        new("RecordingStatus", status),
        new("RecordingUrl", $"https://api.twilio.com/2010-04-01/Accounts/{Mesh.AccountSid}/Recordings/{recordingSid}"),
    ];

    /// <summary>The recording's PurgeRequested and Purged events, read from its stream in the event store.</summary>
    private async Task<(int Requested, int Purged)> PurgeEvents(string recordingSid)
    {
        var schema = _mesh.EnvironmentOf("recordings")["Marten__Schema"];
        await using var connection = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            $"select count(*) filter (where type = 'purge_requested'), count(*) filter (where type = 'purged') from {schema}.mt_events where stream_id = @sid",
            connection);
        command.Parameters.AddWithValue("sid", recordingSid);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    /// <summary>The definitions of the indexes on the recording documents' table.</summary>
    private async Task<List<string>> RecordingIndexes()
    {
        await using var connection = new NpgsqlConnection(infrastructure.PostgresConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "select indexdef from pg_indexes where schemaname = @schema and tablename = 'mt_doc_recording'", connection);
        command.Parameters.AddWithValue("schema", _mesh.EnvironmentOf("recordings")["Marten__Schema"]);
        var indexes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            indexes.Add(reader.GetString(0));
        }

        return indexes;
    }

    /// <summary>Publishes PurgeRecording again, as a republished outbox page or a redelivery would.</summary>
    private async Task RepublishPurge(string recordingSid)
    {
        using var management = TestInfrastructure.ManagementClient(infrastructure.RabbitMqManagementUri);
        var messageId = Guid.NewGuid();
        var envelope = new
        {
            messageId,
            messageType = new[] { "urn:message:VoiceMesh.Contracts.Recordings:PurgeRecording" },
            message = new { recordingSid, occurredAt = DateTimeOffset.UtcNow },
        };
        using var published = await management.PostAsJsonAsync(
            $"api/exchanges/{_vhost}/{Uri.EscapeDataString("VoiceMesh.Contracts.Recordings:PurgeRecording")}/publish",
            new
            {
                properties = new { content_type = "application/vnd.masstransit+json", delivery_mode = 2, message_id = messageId.ToString() },
                routing_key = "",
                payload = JsonSerializer.Serialize(envelope),
                payload_encoding = "string",
            },
            Ct);
        published.EnsureSuccessStatusCode();
        Assert.True((await published.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("routed").GetBoolean(), "PurgeRecording was routed to no queue");
    }

    private Task<HttpResponseMessage> Put(string path, string json, string contentType = "application/json") =>
        _mesh.Client.PutAsync(path, new StringContent(json, Encoding.UTF8, contentType), Ct);

    private async Task<JsonElement> Send(HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await _mesh.Client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    private static async Task Expect(Task<HttpResponseMessage> sending, HttpStatusCode expected, string? named)
    {
        using var response = await sending;
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (named is not null)
        {
            Assert.Contains(named, text, StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> GetRecording(string recordingSid) =>
        JsonSerializer.Deserialize<JsonElement>(await _mesh.Client.GetStringAsync($"/api/recordings/{recordingSid}", Ct));

    private async Task<JsonElement> WaitForRecording(string recordingSid, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await _mesh.Client.GetAsync($"/api/recordings/{recordingSid}", Ct);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}";
            if (response.StatusCode == HttpStatusCode.OK
                && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(Ct)) is var recording && done(recording))
            {
                return recording;
            }

            await Task.Delay(200, Ct);
        }

        throw new TimeoutException($"Recording {recordingSid} did not reach the expected state within {timeout}; last seen: {last}\n"
            + _mesh.Services["recordings"].RecentOutput);
    }
}
