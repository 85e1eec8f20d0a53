using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;
using VoiceMesh.TwilioSimulator.Webhooks;

namespace VoiceMesh.IntegrationTests;

/// <summary>Outbound calling against a misbehaving Twilio: lost responses, outages, rate limits, lost callbacks.</summary>
public sealed class OutboundCallingSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync() =>
        _mesh = await Mesh.Start(
            await infrastructure.CreateVirtualHostAsync(),
            infrastructure.PostgresConnectionString,
            callsPerSecond: 20,
            callsSettings: new Dictionary<string, string> { ["Calls__Reconciliation__StaleAfter"] = "00:00:03" },
            otherServices: Mesh.CallsAlone,
            everyProcess: new Dictionary<string, string> { ["DeadLetters__ManagementUrl"] = infrastructure.RabbitMqManagementUri.ToString() });

    public ValueTask DisposeAsync() => _mesh.DisposeAsync();

    private static string Number(int i) => $"+1415556{i:D4}";

    private static bool Is(JsonElement placement, string status) => placement.GetProperty("status").GetString() == status;

    private Task<JsonElement> WaitForStatus(string callSid, string status) =>
        _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == status, TimeSpan.FromSeconds(90));

    [Fact]
    public async Task A_create_whose_response_is_lost_dials_each_number_exactly_once()
    {
        _mesh.Simulator.Control.FailCreateResponses(new CreateResponseFault { Mode = CreateResponseFaultMode.Abort, Count = 5 });

        var requests = new List<(string RequestId, string To)>();
        for (var i = 0; i < 8; i++)
        {
            requests.Add((await _mesh.Place(new { to = Number(i), twiml = "<Response/>" }), Number(i)));
        }

        foreach (var (requestId, to) in requests)
        {
            var placement = await _mesh.WaitForPlacement(requestId, p => Is(p, "placed"), TimeSpan.FromSeconds(90));
            Assert.StartsWith("CA", placement.GetProperty("callSid").GetString(), StringComparison.Ordinal);
            Assert.Equal(1, _mesh.CreatesTo(to));
        }
    }

    [Fact]
    public async Task Thirty_seconds_of_503_hold_placements_and_place_every_call_after_recovery()
    {
        _mesh.Simulator.Control.InjectErrors(new InjectedErrors { Status = 503, Seconds = 30 });
        var clock = Stopwatch.StartNew();
        var requests = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            requests.Add(await _mesh.Place(new { to = Number(100 + i), twiml = "<Response/>" }));
        }

        foreach (var requestId in requests)
        {
            var placement = await _mesh.WaitForPlacement(requestId, p => !Is(p, "requested"), TimeSpan.FromSeconds(120));
            Assert.Equal("placed", placement.GetProperty("status").GetString());
        }

        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(25), $"placed after {clock.Elapsed}, before the outage ended");
        Assert.Contains(_mesh.Simulator.Control.Requests, r => r.StatusCode == 503);
        Assert.True(_mesh.Calls[0].Wrote("OnCircuitOpened"), "the circuit breaker never opened");
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(1, _mesh.Simulator.Control.Requests.Count(r =>
                r.StatusCode == 201 && r.Form.TryGetValue("To", out var to) && to.Contains(Number(100 + i))));
        }

        // The Twilio REST policy (services/VoiceMesh.Calls/README.md): the breaker opens after 4 failures within 20 s
        // and then lets one probe through every 10 s, so a 30 s outage costs at most the 4 that open it, the creates
        // already in flight then (at most one per placement), and 4 probes.
        var refusedCreates = _mesh.Simulator.Control.Requests.Count(r =>
            r.Method == "POST" && r.Path.EndsWith("/Calls.json", StringComparison.Ordinal) && r.StatusCode == 503);
        TestContext.Current.TestOutputHelper?.WriteLine($"creates answered 503 during the 30 s outage: {refusedCreates}");
        Assert.InRange(refusedCreates, 1, 4 + 10 + 4);
    }

    [Fact]
    public async Task Placements_streaming_at_3_per_second_through_10_seconds_of_503_are_all_placed_and_none_is_dead_lettered()
    {
        var ct = TestContext.Current.CancellationToken;
        var requests = new List<string>();
        for (var i = 0; i < 45; i++)
        {
            if (i == 9)
            {
                _mesh.Simulator.Control.InjectErrors(new InjectedErrors { Status = 503, Seconds = 10 });
            }

            requests.Add(await _mesh.Place(new { to = Number(300 + i), twiml = "<Response/>" }));
            await Task.Delay(TimeSpan.FromMilliseconds(333), ct);
        }

        var unfinished = new List<string>();
        foreach (var requestId in requests)
        {
            try
            {
                await _mesh.WaitForPlacement(requestId, p => Is(p, "placed"), TimeSpan.FromSeconds(90));
            }
            catch (TimeoutException)
            {
                unfinished.Add(requestId);
            }
        }

        // The error queue exists once a message faulted; then it must be empty.
        using var deadLetters = await _mesh.Client.GetAsync("/api/admin/dead-letters/place-call_error", ct);
        var faults = await deadLetters.Content.ReadAsStringAsync(ct);
        Assert.True(unfinished.Count == 0, $"{unfinished.Count} placements never placed; place-call_error: {faults}");
        Assert.True(
            deadLetters.StatusCode == HttpStatusCode.NotFound
            || JsonDocument.Parse(faults).RootElement.GetProperty("messages").GetArrayLength() == 0,
            $"place-call_error: {faults}");
        for (var i = 0; i < 45; i++)
        {
            Assert.Equal(1, _mesh.Simulator.Control.Requests.Count(r =>
                r.StatusCode == 201 && r.Form.TryGetValue("To", out var to) && to.Contains(Number(300 + i))));
        }
    }

    [Fact]
    public async Task Above_twilios_rate_limit_429s_are_retried_and_every_call_is_placed()
    {
        _mesh.Simulator.Control.SetCallsPerSecond(5);
        var requests = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            requests.Add(await _mesh.Place(new { to = Number(200 + i), twiml = "<Response/>" }));
        }

        foreach (var requestId in requests)
        {
            await _mesh.WaitForPlacement(requestId, p => Is(p, "placed"), TimeSpan.FromSeconds(120));
        }

        Assert.Contains(_mesh.Simulator.Control.Requests, r => r.StatusCode == 429);
        Assert.Equal(30, _mesh.Simulator.Control.Requests.Count(r => r.StatusCode == 201));
    }

    [Fact]
    public async Task With_a_tenth_of_callbacks_dropped_reconciliation_brings_every_call_to_its_true_end()
    {
        _mesh.Simulator.Control.WebhookChaos = new WebhookChaos { Drop = 0.1, Seed = 7 };
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = "+1415556030*", Outcome = CallOutcomeKind.Busy });
        var requests = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            requests.Add(await _mesh.Place(new { to = Number(300 + i), twiml = "<Response/>" }));
        }

        var twilio = _mesh.Simulator.CreateTwilioClient();
        foreach (var requestId in requests)
        {
            var callSid = (await _mesh.WaitForPlacement(requestId, p => Is(p, "placed"), TimeSpan.FromSeconds(90)))
                .GetProperty("callSid").GetString()!;
            var truth = await WaitUntilTerminalAtTwilio(twilio, callSid);
            await WaitForStatus(callSid, truth);
        }

        Assert.Contains(_mesh.Simulator.Control.Webhooks, w => w.Dropped);
    }

    private static async Task<string> WaitUntilTerminalAtTwilio(Twilio.Clients.ITwilioRestClient twilio, string callSid)
    {
        for (var i = 0; i < 300; i++)
        {
            var call = await Twilio.Rest.Api.V2010.Account.CallResource.FetchAsync(callSid, client: twilio);
            var status = call.Status.ToString();
            if (status is "completed" or "busy" or "failed" or "no-answer" or "canceled")
            {
                return status;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Call {callSid} never ended at the simulator.");
    }

    [Fact]
    public async Task Hanging_up_a_ringing_call_cancels_it_and_an_answered_one_completes()
    {
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = Number(400), Outcome = CallOutcomeKind.Human, RingSeconds = 1000 });
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule { Match = Number(401), Outcome = CallOutcomeKind.Human, TalkSeconds = 3000 });
        var ringingSid = (await _mesh.WaitForPlacement(
            await _mesh.Place(new { to = Number(400), twiml = "<Response/>", timeoutSeconds = 600 }), p => Is(p, "placed"), TimeSpan.FromSeconds(60)))
            .GetProperty("callSid").GetString()!;
        var answeredSid = (await _mesh.WaitForPlacement(
            await _mesh.Place(new { to = Number(401), twiml = "<Response/>" }), p => Is(p, "placed"), TimeSpan.FromSeconds(60)))
            .GetProperty("callSid").GetString()!;
        await WaitForStatus(ringingSid, "ringing");
        await WaitForStatus(answeredSid, "in-progress");

        using var hangUpRinging = await _mesh.Client.PostAsync($"/api/calls/{ringingSid}/hangup", null, TestContext.Current.CancellationToken);
        using var hangUpAnswered = await _mesh.Client.PostAsync($"/api/calls/{answeredSid}/hangup", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, hangUpRinging.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, hangUpAnswered.StatusCode);
        await WaitForStatus(ringingSid, "canceled");
        await WaitForStatus(answeredSid, "completed");
    }

    [Fact]
    public async Task Malformed_hang_up_and_redirect_requests_get_400()
    {
        var ct = TestContext.Current.CancellationToken;
        using var badSid = await _mesh.Client.PostAsync("/api/calls/not-a-sid/hangup", null, ct);
        using var noTarget = await _mesh.Client.PostAsJsonAsync($"/api/calls/{Mesh.NewCallSid()}/redirect", new { }, ct);
        using var badJson = await _mesh.Client.PostAsync(
            $"/api/calls/{Mesh.NewCallSid()}/redirect", new StringContent("{", System.Text.Encoding.UTF8, "application/json"), ct);

        Assert.Equal(HttpStatusCode.BadRequest, badSid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noTarget.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
    }

    [Fact]
    public async Task A_machine_answering_a_call_that_hangs_up_on_machines_is_recorded_and_hung_up()
    {
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule
        {
            Match = Number(500), Outcome = CallOutcomeKind.Machine, AnsweredBy = "machine_start", TalkSeconds = 3000,
        });
        var requestId = await _mesh.Place(new
        {
            to = Number(500), twiml = "<Response/>", machineDetection = "Enable", asyncAmd = true, onMachine = "hangup",
        });
        var callSid = (await _mesh.WaitForPlacement(requestId, p => Is(p, "placed"), TimeSpan.FromSeconds(60)))
            .GetProperty("callSid").GetString()!;

        var call = await WaitForStatus(callSid, "completed");

        Assert.Equal("machine_start", call.GetProperty("answeredBy").GetString());
        Assert.Contains(_mesh.Simulator.Control.Requests, r =>
            r.Method == "POST" && r.Path.EndsWith($"/Calls/{callSid}.json", StringComparison.Ordinal)
            && r.Form.TryGetValue("Status", out var status) && status.Contains("completed"));
    }

    [Fact]
    public async Task A_machine_on_a_call_that_leaves_a_message_gets_the_message_after_the_beep()
    {
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule
        {
            Match = Number(501), Outcome = CallOutcomeKind.Machine, AnsweredBy = "machine_end_beep", TalkSeconds = 3000,
        });
        var message = "<Response><Say>Please call us back.</Say><Hangup/></Response>";
        var requestId = await _mesh.Place(new
        {
            to = Number(501), twiml = "<Response/>", machineDetection = "DetectMessageEnd", asyncAmd = true,
            onMachine = "message", machineMessageTwiml = message,
        });
        var callSid = (await _mesh.WaitForPlacement(requestId, p => Is(p, "placed"), TimeSpan.FromSeconds(60)))
            .GetProperty("callSid").GetString()!;

        await _mesh.WaitForCall(callSid, c => c.GetProperty("answeredBy").GetString() == "machine_end_beep", TimeSpan.FromSeconds(60));

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30) && !_mesh.Simulator.Control.Requests.Any(r =>
            r.Path.EndsWith($"/Calls/{callSid}.json", StringComparison.Ordinal) && r.Form.TryGetValue("Twiml", out var twiml) && twiml.Contains(message)))
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Contains(_mesh.Simulator.Control.Requests, r =>
            r.Method == "POST" && r.Path.EndsWith($"/Calls/{callSid}.json", StringComparison.Ordinal)
            && r.Form.TryGetValue("Twiml", out var twiml) && twiml.Contains(message));
    }
}
