using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Conferences;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// The Conferences service as a process behind the real gateway, RabbitMQ and PostgreSQL, with the Twilio simulator's
/// conferences: rooms VoiceMesh dials, controls and ends, compared with the simulator's own record of each room.
/// </summary>
public sealed class ConferenceSpecs(MeshFixture fixture) : IClassFixture<MeshFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly int[] SanFrancisco = [415];
    private readonly ConferenceMeshClient _api = new(fixture.Mesh);

    private static string Room(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..30];

    [Fact]
    public async Task A_moderated_room_ends_with_a_read_model_equal_to_the_simulators_record_field_by_field()
    {
        var name = Room("e2e");
        await _api.Create(name, new { friendlyName = name, startOnFirstModerator = true, endWhenModeratorLeaves = true });
        await _api.Add(name, "+14155551000", "moderator", "moderator");
        for (var i = 1; i <= 5; i++)
        {
            await _api.Add(name, $"+1415555100{i}", label: $"p{i}");
        }

        var sid = await _api.SidOf(name, Patience);
        var room = await _api.WaitFor(sid, c => ConferenceMeshClient.Joined(c) == 6 && c.GetProperty("status").GetString() == "in-progress", Patience);
        string P(int i) => ConferenceMeshClient.CallOf(room, $"p{i}");

        await _api.Accepted($"/api/conferences/{sid}/participants/{P(1)}/mute");
        await _api.Accepted($"/api/conferences/{sid}/participants/{P(2)}/mute");
        await _api.Accepted($"/api/conferences/{sid}/participants/{P(3)}/hold", new { holdUrl = "https://music.example.com/hold.mp3" });
        room = await _api.WaitFor(sid, c => Flag(c, P(1), "muted") && Flag(c, P(2), "muted") && Flag(c, P(3), "hold"), Patience);
        Assert.False(Flag(room, P(4), "muted") || Flag(room, P(4), "hold"));

        await _api.Accepted($"/api/conferences/{sid}/participants/{P(1)}/unmute");
        await _api.Accepted($"/api/conferences/{sid}/participants/{P(2)}/unmute");
        await _api.Accepted($"/api/conferences/{sid}/participants/{P(3)}/unhold");
        using (var removed = await fixture.Mesh.Client.DeleteAsync($"/api/conferences/{sid}/participants/{P(5)}", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, removed.StatusCode);
        }

        await _api.WaitFor(sid, c => !Flag(c, P(1), "muted") && !Flag(c, P(2), "muted") && !Flag(c, P(3), "hold")
            && ConferenceMeshClient.Participant(c, P(5)).GetProperty("status").GetString() == "left", Patience);

        var moderator = ConferenceMeshClient.CallOf(room, "moderator");
        await CallResource.UpdateAsync(moderator, status: CallResource.UpdateStatusEnum.Completed, client: fixture.Mesh.Simulator.CreateTwilioClient());
        var ended = await _api.WaitFor(sid, c => c.GetProperty("status").GetString() == "completed" && ConferenceMeshClient.Joined(c) == 0, Patience);

        var record = fixture.Mesh.Simulator.Control.ConferenceRecord(sid)!;
        AssertMatches(record, ended);
        Assert.Equal("participant-with-end-conference-on-exit-left", ended.GetProperty("reasonConferenceEnded").GetString());
        Assert.Equal(moderator, ended.GetProperty("callSidEndingConference").GetString());
        Assert.Equal("participant_updated_via_api", ConferenceMeshClient.Participant(ended, P(5)).GetProperty("reasonLeft").GetString());
        Assert.Equal($"/api/calls/{P(4)}", ConferenceMeshClient.Participant(ended, P(4)).GetProperty("call").GetString());
        var events = ended.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Equal(2, events.Count(e => e == "participant-mute"));
        Assert.Equal(2, events.Count(e => e == "participant-unmute"));
        Assert.Equal(1, events.Count(e => e == "participant-hold"));
        Assert.Equal(1, events.Count(e => e == "participant-unhold"));
        Assert.Contains("remove-requested", events);
        var hold = Assert.Single(fixture.Mesh.Simulator.Control.Requests, r => r.Path.EndsWith($"/Participants/{P(3)}.json", StringComparison.Ordinal)
            && r.Form.TryGetValue("Hold", out var value) && value.Contains("true"));
        Assert.Equal(["https://music.example.com/hold.mp3"], hold.Form["HoldUrl"]);
    }

    [Fact]
    public async Task A_coach_and_speech_reach_the_read_model_as_the_simulator_records_them()
    {
        var name = Room("coach");
        await _api.Create(name, new { friendlyName = name });
        await _api.Add(name, "+14155554001", label: "agent");
        await _api.Add(name, "+14155554002", label: "customer");
        await _api.Add(name, "+14155554003", label: "supervisor");
        var sid = await _api.SidOf(name, Patience);
        var room = await _api.WaitFor(sid, c => ConferenceMeshClient.Joined(c) == 3, Patience);
        var agent = ConferenceMeshClient.CallOf(room, "agent");
        var supervisor = ConferenceMeshClient.CallOf(room, "supervisor");

        await _api.Accepted($"/api/conferences/{sid}/participants/{supervisor}/coach", new { callSidToCoach = agent });
        await _api.WaitFor(sid, c => Flag(c, supervisor, "coaching"), Patience);
        fixture.Mesh.Simulator.Control.SetSpeaking(sid, agent, speaking: true);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        fixture.Mesh.Simulator.Control.SetSpeaking(sid, agent, speaking: false);
        await _api.WaitFor(sid, c => c.GetProperty("timeline").EnumerateArray().Any(e => e.GetProperty("event").GetString() == "participant-speech-stop"), Patience);
        await _api.Accepted($"/api/conferences/{sid}/end");
        var ended = await _api.WaitFor(sid, c => c.GetProperty("status").GetString() == "completed" && ConferenceMeshClient.Joined(c) == 0, Patience);

        var coach = ConferenceMeshClient.Participant(ended, supervisor);
        Assert.Equal((true, agent), (coach.GetProperty("coaching").GetBoolean(), coach.GetProperty("callSidToCoach").GetString()));
        AssertMatches(fixture.Mesh.Simulator.Control.ConferenceRecord(sid)!, ended);
    }

    [Fact]
    public async Task Twenty_rooms_of_ten_participants_at_once_keep_to_their_own_rooms()
    {
        var names = Enumerable.Range(0, 20).Select(r => Room($"r{r}")).ToList();
        await Task.WhenAll(names.Select(name => _api.Create(name)));
        await Task.WhenAll(names.Select(async (name, r) =>
        {
            for (var i = 0; i < 10; i++)
            {
                await _api.Add(name, $"+1415{r + 100:D3}{i + 2000:D4}", label: $"{name}-{i}");
            }
        }));

        var sids = await Task.WhenAll(names.Select(name => _api.SidOf(name, Patience)));
        await Task.WhenAll(sids.Select(sid => _api.WaitFor(sid, c => ConferenceMeshClient.Joined(c) == 10, TimeSpan.FromSeconds(90))));
        await Task.WhenAll(sids.Select(sid => _api.Accepted($"/api/conferences/{sid}/end")));
        var rooms = await Task.WhenAll(sids.Select(sid => _api.WaitFor(sid, c => c.GetProperty("status").GetString() == "completed" && ConferenceMeshClient.Joined(c) == 0, Patience)));

        Assert.Equal(20, sids.Distinct().Count());
        for (var r = 0; r < 20; r++)
        {
            var participants = ConferenceMeshClient.Participants(rooms[r]).ToList();
            Assert.Equal(10, participants.Count);
            Assert.All(participants, p => Assert.StartsWith(names[r] + "-", p.GetProperty("label").GetString(), StringComparison.Ordinal));
            Assert.Equal(names[r], rooms[r].GetProperty("friendlyName").GetString());
            AssertMatches(fixture.Mesh.Simulator.Control.ConferenceRecord(sids[r])!, rooms[r]);
            Assert.Equal("conference-ended-via-api", rooms[r].GetProperty("reasonConferenceEnded").GetString());
        }

        // The 200 dials were paced like call creates, at Conferences:DialsPerSecond: spread over at least 199 gaps of 1/rate
        // (less 10%), and no two seconds held more than twice the rate, give or take what the time between a paced send
        // and its arrival here (a new connection, a busy machine) can crowd into a window: up to half a second of sends
        // (a CI run at full load once crowded 111 into a window at 50/s). Unpaced, the 200 would arrive within a second or two.
        var dialsPerSecond = int.Parse(fixture.Mesh.EnvironmentOf("conferences")["Conferences__DialsPerSecond"], CultureInfo.InvariantCulture);
        var creates = fixture.Mesh.Simulator.Control.Requests
            .Where(q => q.Method == "POST" && q.Path.EndsWith("/Participants.json", StringComparison.Ordinal) && names.Exists(n => q.Path.Contains($"/Conferences/{n}/", StringComparison.Ordinal)))
            .Select(q => q.Time).Order().ToList();
        Assert.Equal(200, creates.Count);
        Assert.InRange((creates[^1] - creates[0]).TotalSeconds, 0.9 * 199 / dialsPerSecond, double.MaxValue);
        Assert.All(creates, at => Assert.InRange(creates.Count(o => o >= at && o < at.AddSeconds(2)), 1, (2 * dialsPerSecond) + (dialsPerSecond / 2)));
    }

    [Fact]
    public async Task A_dial_whose_create_answer_was_lost_is_looked_up_at_twilio_and_every_participant_is_dialled_once()
    {
        var name = Room("lost");
        await _api.Create(name);
        string Number(int i) => $"+1415555{2400 + i}";

        // The first three Participants creates (the first of which opens the conference) are made, then their answers lost.
        fixture.Mesh.Simulator.Control.FailCreateResponses(new CreateResponseFault { Mode = CreateResponseFaultMode.Abort, Count = 3 });
        for (var i = 0; i < 4; i++)
        {
            await _api.Add(name, Number(i), label: $"p{i}");
        }

        var sid = await _api.SidOf(name, TimeSpan.FromSeconds(90));
        var room = await _api.WaitFor(sid, c => ConferenceMeshClient.Joined(c) == 4, TimeSpan.FromSeconds(90));

        var creates = fixture.Mesh.Simulator.Control.Requests
            .Where(q => q.Method == "POST" && q.Path.EndsWith($"/Conferences/{name}/Participants.json", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(3, creates.Count(q => q.Fault == "create-response-aborted"));
        for (var i = 0; i < 4; i++)
        {
            Assert.Single(creates, q => q.Form.TryGetValue("To", out var to) && to.Contains(Number(i)));
        }

        Assert.Equal(4, ConferenceMeshClient.Participants(room).Select(p => p.GetProperty("callSid").GetString()).Distinct().Count());
        await _api.Accepted($"/api/conferences/{sid}/end");
        var ended = await _api.WaitFor(sid, c => c.GetProperty("status").GetString() == "completed" && ConferenceMeshClient.Joined(c) == 0, Patience);
        Assert.Equal(4, ConferenceMeshClient.Participants(ended).Count());
        AssertMatches(fixture.Mesh.Simulator.Control.ConferenceRecord(sid)!, ended);
    }

    [Fact]
    public async Task A_mute_whose_every_twilio_attempt_failed_after_its_decision_was_stored_is_performed_by_the_outbox()
    {
        var name = Room("5xx");
        await _api.Create(name);
        await _api.Add(name, "+14155552300", "moderator", "moderator");
        await _api.Add(name, "+14155552301", label: "p1");
        var sid = await _api.SidOf(name, Patience);
        var room = await _api.WaitFor(sid, c => ConferenceMeshClient.Joined(c) == 2, Patience);
        var p1 = ConferenceMeshClient.CallOf(room, "p1");
        var update = $"/Participants/{p1}.json";

        // Every attempt of the command's own request (the first and the pipeline's retries) is answered 500.
        var attempts = TwilioRestPolicy.MaxRetries + 1;
        fixture.Mesh.Simulator.Control.InjectErrors(new InjectedErrors { Status = 500, Count = attempts, Method = "POST", PathContains = update });
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(fixture.Mesh.RabbitMqUri)));
        await bus.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            // On the bus, the command is consumed in its room's partition, so the outbox's copy runs only after it gave up.
            await bus.Publish(new MuteParticipant { RequestId = Guid.NewGuid().ToString("N"), ConferenceSid = sid, CallSid = p1, OccurredAt = DateTimeOffset.UtcNow }, TestContext.Current.CancellationToken);
            await _api.WaitFor(sid, c => Flag(c, p1, "muted"), TimeSpan.FromSeconds(90));
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }

        var posts = fixture.Mesh.Simulator.Control.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith(update, StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Repeat("injected-error", attempts), posts.Take(attempts).Select(r => r.Fault));
        var performed = Assert.Single(posts.Skip(attempts));
        Assert.Equal(200, performed.StatusCode);
        Assert.Equal(["true"], performed.Form["Muted"]);
        Assert.True(fixture.Mesh.Simulator.Control.ConferenceRecord(sid)!.Participants.Single(p => p.CallSid == p1).Muted);
    }

    [Fact]
    public async Task Commands_against_an_unknown_room_an_unknown_participant_a_full_or_an_ended_room_are_refused_and_change_nothing()
    {
        using (var unknown = await _api.Post($"/api/conferences/{Room("nobody")}/participants", new { to = "+14155552000", from = "+15005550006" }))
        {
            await AssertProblem(unknown, HttpStatusCode.NotFound, "FriendlyName");
        }

        var name = Room("full");
        await _api.Create(name, new { friendlyName = name, maxParticipants = 2 });
        await _api.Add(name, "+14155552001", label: "a");
        await _api.Add(name, "+14155552002", label: "b");
        using (var full = await _api.Post($"/api/conferences/{name}/participants", new { to = "+14155552003", from = "+15005550006" }))
        {
            await AssertProblem(full, HttpStatusCode.Conflict, "FriendlyName");
            Assert.Contains("full", await full.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        var sid = await _api.SidOf(name, Patience);
        await _api.WaitFor(sid, c => ConferenceMeshClient.Joined(c) == 2, Patience);
        await fixture.Mesh.Simulator.Control.WhenWebhooksIdleAsync(cancellationToken: TestContext.Current.CancellationToken);
        var before = await _api.Settled(sid, Patience);
        var stranger = Mesh.NewCallSid();
        using (var unknownParticipant = await _api.Post($"/api/conferences/{sid}/participants/{stranger}/mute"))
        {
            await AssertProblem(unknownParticipant, HttpStatusCode.NotFound, "CallSid");
        }

        int Changes() => fixture.Mesh.Simulator.Control.Requests.Count(r => r.Method != "GET" && r.Path.Contains(sid, StringComparison.Ordinal));
        var changesBefore = Changes();
        Assert.Equal(before.GetProperty("timeline").GetArrayLength(), (await _api.Get(sid)).GetProperty("timeline").GetArrayLength());

        Assert.Equal(changesBefore, Changes());
        await _api.Accepted($"/api/conferences/{sid}/end");
        var ended = await _api.WaitFor(sid, c => c.GetProperty("status").GetString() == "completed" && ConferenceMeshClient.Joined(c) == 0, Patience);
        await fixture.Mesh.Simulator.Control.WhenWebhooksIdleAsync(cancellationToken: TestContext.Current.CancellationToken);
        var changesEnded = Changes();
        var a = ConferenceMeshClient.CallOf(ended, "a");
        foreach (var path in new[] { $"/api/conferences/{sid}/participants/{a}/mute", $"/api/conferences/{sid}/end", $"/api/conferences/{name}/participants" })
        {
            using var refused = await _api.Post(path, new { to = "+14155552004", from = "+15005550006" });
            await AssertProblem(refused, HttpStatusCode.Conflict, path.EndsWith("/participants", StringComparison.Ordinal) ? "FriendlyName" : "ConferenceSid");
        }

        await fixture.Mesh.Simulator.Control.WhenWebhooksIdleAsync(cancellationToken: TestContext.Current.CancellationToken);
        var after = await _api.Get(sid);
        Assert.Equal(ended.GetProperty("timeline").GetArrayLength(), after.GetProperty("timeline").GetArrayLength());
        Assert.Equal(2, fixture.Mesh.Simulator.Control.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith($"/Conferences/{name}/Participants.json", StringComparison.Ordinal)));
        Assert.Equal(changesEnded, Changes());
    }

    [Fact]
    public async Task A_recorded_room_reaches_the_lifecycle_with_its_recording_sid_and_url()
    {
        var name = Room("rec");
        await _api.Create(name, new { friendlyName = name, record = true });
        await _api.Add(name, "+14155553001");
        await _api.Add(name, "+14155553002");
        var sid = await _api.SidOf(name, Patience);
        var live = await _api.WaitFor(sid, c => c.GetProperty("recordings").GetArrayLength() == 1, Patience);
        var recordingSid = live.GetProperty("recordings")[0].GetProperty("recordingSid").GetString()!;

        // The simulator records the room's audio in real time, and a recording under a second ends absent (16101):
        // the room stays open long enough to be recorded before it is ended.
        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);
        await _api.Accepted($"/api/conferences/{sid}/end");
        var ended = await _api.WaitFor(sid, c => c.GetProperty("recordings")[0].GetProperty("status").GetString() == "completed", Patience);

        var recording = ended.GetProperty("recordings")[0];
        Assert.Equal(recordingSid, recording.GetProperty("recordingSid").GetString());
        Assert.EndsWith($"/Recordings/{recordingSid}", recording.GetProperty("recordingUrl").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/conferences", "{\"friendlyName\":\"x\",\"maxParticipants\":1}", "MaxParticipants")]
    [InlineData("/api/conferences", "{\"friendlyName\":\"x\",\"beep\":\"loud\"}", "Beep")]
    [InlineData("/api/conferences", "{\"maxParticipants\":5}", "FriendlyName")]
    [InlineData("/api/conferences/x/participants", "{\"to\":\"123\",\"from\":\"+15005550006\"}", "To")]
    [InlineData("/api/conferences/x/participants", "{\"to\":\"+14155550100\",\"from\":\"+15005550006\",\"role\":\"boss\"}", "Role")]
    [InlineData("/api/conferences/CF12/participants/CA0123456789abcdef0123456789abcdef/mute", "{}", "ConferenceSid")]
    [InlineData("/api/conferences/CF0123456789abcdef0123456789abcdef/participants/CA12/unmute", "{}", "CallSid")]
    [InlineData("/api/conferences/CF12/participants/CA0123456789abcdef0123456789abcdef/hold", "{}", "ConferenceSid")]
    [InlineData("/api/conferences/CF0123456789abcdef0123456789abcdef/participants/CA0123456789abcdef0123456789abcdef/hold", "{\"holdUrl\":\"ftp://x\"}", "HoldUrl")]
    [InlineData("/api/conferences/CF12/participants/CA0123456789abcdef0123456789abcdef/unhold", "{}", "ConferenceSid")]
    [InlineData("/api/conferences/CF0123456789abcdef0123456789abcdef/participants/CA0123456789abcdef0123456789abcdef/coach", "{\"callSidToCoach\":\"CA1\"}", "CallSidToCoach")]
    [InlineData("/api/conferences/CF0123456789abcdef0123456789abcdef/announce", "{\"url\":\"not a url\"}", "Url")]
    [InlineData("/api/conferences/CF12/end", "{}", "ConferenceSid")]
    public async Task A_malformed_command_gets_400_naming_the_field(string path, string json, string field)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await fixture.Mesh.Client.PostAsync(path, content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_reads_and_removals_are_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var unknown = await fixture.Mesh.Client.GetAsync("/api/conferences/CF0123456789abcdef0123456789abcdef", ct);
        using var malformed = await fixture.Mesh.Client.GetAsync("/api/conferences/not-a-sid", ct);
        using var badStatus = await fixture.Mesh.Client.GetAsync("/api/conferences?status=over", ct);
        using var badRemoval = await fixture.Mesh.Client.DeleteAsync("/api/conferences/CF12/participants/CA0123456789abcdef0123456789abcdef", ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badRemoval.StatusCode);
    }

    [Fact]
    public async Task A_participant_dialled_from_a_pool_calls_from_the_leased_number_until_it_leaves_and_an_exhausted_pool_refuses()
    {
        var pool = $"conf-{Guid.NewGuid():N}"[..24];
        var name = Room("pooled");
        using (var defined = await fixture.Mesh.Client.PutAsJsonAsync($"/api/numbers/pools/{pool}", new { maxConcurrentCalls = 1, definedBy = "spec" }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, defined.StatusCode);
        }

        using (var provisioned = await fixture.Mesh.Client.PostAsJsonAsync("/api/numbers/provisioning", new { pool, country = "US", areaCodes = SanFrancisco, count = 1, requestedBy = "spec" }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, provisioned.StatusCode);
        }

        await WaitFor($"/api/numbers?pool={pool}", n => n.EnumerateArray().Any(x => x.GetProperty("state").GetString() == "active"));
        await _api.Create(name, new { friendlyName = name });
        await _api.Accepted($"/api/conferences/{name}/participants", new { to = "+14155552201", callerIdPool = pool, label = "pooled" });

        using (var exhausted = await _api.Post($"/api/conferences/{name}/participants", new { to = "+14155552202", callerIdPool = pool }))
        {
            await AssertProblem(exhausted, HttpStatusCode.Conflict, "CallerIdPool");
        }

        var sid = await _api.SidOf(name, Patience);
        var dial = Assert.Single(fixture.Mesh.Simulator.Control.Requests, r => r.Method == "POST" && r.Path.EndsWith("/Participants.json", StringComparison.Ordinal)
            && r.Form.TryGetValue("To", out var to) && to.Contains("+14155552201"));
        var from = Assert.Single(dial.Form["From"]);
        Assert.StartsWith("+1415", from, StringComparison.Ordinal);
        await WaitFor($"/api/numbers/{Uri.EscapeDataString(from)}", n => n.GetProperty("usage").GetProperty("activeLeases").GetInt32() == 1);

        var room = await _api.WaitFor(sid, c => ConferenceMeshClient.Joined(c) == 1, Patience);
        using (var removed = await fixture.Mesh.Client.DeleteAsync($"/api/conferences/{sid}/participants/{ConferenceMeshClient.CallOf(room, "pooled")}", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, removed.StatusCode);
        }

        await WaitFor($"/api/numbers/{Uri.EscapeDataString(from)}", n => n.GetProperty("usage").GetProperty("activeLeases").GetInt32() == 0);
    }

    private async Task<JsonElement> WaitFor(string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await fixture.Mesh.Client.GetAsync(path, TestContext.Current.CancellationToken);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}";
            if (response.StatusCode == HttpStatusCode.OK && JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)) is var body && done(body))
            {
                return body;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"{path} did not reach the expected state within {Patience}; last seen: {last}");
    }

    private static bool Flag(JsonElement conference, string callSid, string flag) =>
        ConferenceMeshClient.Participant(conference, callSid).GetProperty(flag).GetBoolean();

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, JsonSerializer.Deserialize<JsonElement>(body).GetProperty("field").GetString());
    }

    /// <summary>The read model equals the simulator's record: status, times (Twilio's callbacks carry whole seconds), every participant.</summary>
    private static void AssertMatches(ConferenceSnapshot record, JsonElement model)
    {
        Assert.Equal(record.ConferenceSid, model.GetProperty("conferenceSid").GetString());
        Assert.Equal(record.FriendlyName, model.GetProperty("friendlyName").GetString());
        Assert.Equal(record.Status, model.GetProperty("status").GetString());
        Assert.Equal(Seconds(record.StartedAt), Time(model, "startedAt"));
        Assert.Equal(Seconds(record.EndedAt), Time(model, "endedAt"));
        Assert.Equal(record.ReasonConferenceEnded, model.GetProperty("reasonConferenceEnded").GetString());
        Assert.Equal(record.CallSidEndingConference, model.GetProperty("callSidEndingConference").GetString());
        var participants = ConferenceMeshClient.Participants(model).ToList();
        Assert.Equal(record.Participants.Count(p => p.JoinedAt is not null), participants.Count);
        foreach (var expected in record.Participants.Where(p => p.JoinedAt is not null))
        {
            var actual = ConferenceMeshClient.Participant(model, expected.CallSid);
            Assert.Equal(expected.Label, actual.GetProperty("label").GetString());
            Assert.Equal(expected.LeftAt is null ? "joined" : "left", actual.GetProperty("status").GetString());
            Assert.Equal(Seconds(expected.JoinedAt), Time(actual, "joinedAt"));
            Assert.Equal(Seconds(expected.LeftAt), Time(actual, "leftAt"));
            Assert.Equal(expected.Muted, actual.GetProperty("muted").GetBoolean());
            Assert.Equal(expected.Hold, actual.GetProperty("hold").GetBoolean());
            Assert.Equal(expected.Coaching, actual.GetProperty("coaching").GetBoolean());
            Assert.Equal(expected.CallSidToCoach, actual.GetProperty("callSidToCoach").GetString());
            Assert.Equal(expected.EndConferenceOnExit, actual.GetProperty("endConferenceOnExit").GetBoolean());
            Assert.Equal(expected.StartConferenceOnEnter, actual.GetProperty("startConferenceOnEnter").GetBoolean());
            Assert.Equal(expected.ReasonLeft, actual.GetProperty("reasonLeft").GetString());
            Assert.Equal(expected.SpeakingSeconds, actual.GetProperty("talkSeconds").GetInt32());
        }
    }

    private static DateTimeOffset? Seconds(DateTimeOffset? at) =>
        at is { } t ? new DateTimeOffset(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset).ToUniversalTime() : null;

    private static DateTimeOffset? Time(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetDateTimeOffset().ToUniversalTime();
}
