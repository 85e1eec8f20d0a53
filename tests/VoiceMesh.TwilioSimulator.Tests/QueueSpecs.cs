using System.Globalization;
using Twilio.Exceptions;
using HttpMethod = Twilio.Http.HttpMethod;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Queue;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class QueueSpecs : IAsyncLifetime
{
    private const string Hold = "<Response><Play loop=\"0\">https://cdn.example.com/hold.mp3</Play></Response>";

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Fifty_callers_enqueued_at_once_each_hear_their_exact_position()
    {
        _world.Receiver.Serve("/support", "<Response><Enqueue waitUrl=\"/support/wait\" action=\"/support/after\">support</Enqueue></Response>");
        _world.Receiver.Serve("/support/wait", Hold);

        var callSids = Enumerable.Range(0, 50).Select(_ => _world.CallIn("/support")).ToList();
        await _world.AdvanceAsync(TimeSpan.Zero);

        var waits = _world.Receiver.At("/support/wait");
        Assert.Equal(50, waits.Count);
        Assert.Equal(Enumerable.Range(1, 50), waits.Select(w => int.Parse(w["QueuePosition"], CultureInfo.InvariantCulture)).Order());
        Assert.All(waits, w => Assert.Equal((w["QueuePosition"], "0", "1000"), (w["CurrentQueueSize"], w["QueueTime"], w["MaxQueueSize"])));
        var queue = Assert.Single(await QueueResource.ReadAsync(client: _world.Twilio));
        Assert.Equal("support", queue.FriendlyName);
        Assert.Equal(50, queue.CurrentSize);
        var members = (await MemberResource.ReadAsync(queue.Sid, client: _world.Twilio)).ToList();
        Assert.Equal(Enumerable.Range(1, 50), members.Select(m => m.Position ?? 0));
        Assert.Equal(callSids.Order(StringComparer.Ordinal), members.Select(m => m.CallSid).Order(StringComparer.Ordinal));
        Assert.All(members, m => Assert.Equal(
            m.Position?.ToString(CultureInfo.InvariantCulture), Assert.Single(waits, w => w["CallSid"] == m.CallSid)["QueuePosition"]));
        Assert.All(waits, w => Assert.Equal(queue.Sid, w["QueueSid"]));
    }

    [Fact]
    public async Task The_wait_url_is_requested_again_each_time_its_document_ends()
    {
        _world.Receiver.Serve("/line", "<Response><Enqueue waitUrl=\"wait\">line</Enqueue></Response>");
        _world.Receiver.Serve("/wait", "<Response><Say>You are still in line</Say><Pause length=\"9\"/></Response>");

        _world.CallIn("/line");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(25));

        Assert.Equal(["0", "10", "20"], _world.Receiver.At("/wait").Select(w => w["QueueTime"]));
        Assert.All(_world.Receiver.At("/wait"), w => Assert.Equal("POST", w.Method));
    }

    [Fact]
    public async Task Members_update_front_dequeues_in_fifo_order_and_the_enqueue_action_hears_redirected()
    {
        _world.Receiver.Serve("/sales", "<Response><Enqueue waitUrl=\"/sales/wait\" action=\"/sales/after\">sales</Enqueue><Say>Never</Say></Response>");
        _world.Receiver.Serve("/sales/wait", Hold);
        _world.Receiver.Serve("/sales/after", "<Response><Say>Ignored</Say></Response>");
        _world.Receiver.Serve("/agent", "<Response><Say>Connecting you</Say><Hangup/></Response>");
        List<string> callers = [];
        for (var i = 0; i < 3; i++)
        {
            callers.Add(_world.CallIn("/sales"));
            await _world.AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        await _world.AdvanceAsync(TimeSpan.FromSeconds(7));
        var queue = Assert.Single(await QueueResource.ReadAsync(client: _world.Twilio));
        Assert.Equal(9, queue.AverageWaitTime);
        List<string> dequeued = [];
        for (var i = 0; i < 3; i++)
        {
            var member = await MemberResource.UpdateAsync(queue.Sid, "Front", url: new Uri(SimulatorWorld.Url("/agent")), method: HttpMethod.Post, client: _world.Twilio);
            dequeued.Add(member.CallSid);
        }

        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(callers, dequeued);
        var after = _world.Receiver.At("/sales/after").ToDictionary(a => a["CallSid"]);
        Assert.All(after.Values, a => Assert.Equal(("redirected", queue.Sid), (a["QueueResult"], a["QueueSid"])));
        Assert.Equal(["10", "9", "8"], callers.Select(c => after[c]["QueueTime"]));
        Assert.Equal(3, _world.Receiver.At("/agent").Count);
        Assert.All(callers, sid =>
        {
            var log = _world.Log(sid);
            Assert.Equal("completed", log.Status);
            Assert.Equal(["Enqueue redirected", "Play redirected", "Say completed", "Hangup completed"], log.Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        });
        Assert.Equal(0, (await QueueResource.FetchAsync(queue.Sid, client: _world.Twilio)).CurrentSize);
    }

    [Fact]
    public async Task Calls_update_with_a_url_dequeues_an_enqueued_call()
    {
        _world.Receiver.Serve("/q", "<Response><Enqueue waitUrl=\"/q/wait\" action=\"/q/after\">billing</Enqueue></Response>");
        _world.Receiver.Serve("/q/wait", Hold);
        _world.Receiver.Serve("/q/out", "<Response><Say>Out of the queue</Say></Response>");
        var callSid = _world.CallIn("/q");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(4));

        await CallResource.UpdateAsync(callSid, url: new Uri(SimulatorWorld.Url("/q/out")), client: _world.Twilio);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(4));

        var after = Assert.Single(_world.Receiver.At("/q/after"));
        Assert.Equal(("redirected", "4"), (after["QueueResult"], after["QueueTime"]));
        Assert.Single(_world.Receiver.At("/q/out"));
        Assert.Equal("completed", _world.Log(callSid).Status);
    }

    [Fact]
    public async Task Leave_in_the_wait_document_takes_the_caller_out_with_queue_result_leave()
    {
        _world.Receiver.Serve("/busy-line", "<Response><Enqueue waitUrl=\"/busy-line/wait\" action=\"/busy-line/after\">overflow</Enqueue></Response>");
        _world.Receiver.Serve("/busy-line/wait", "<Response><Say>Everyone is busy</Say><Leave/><Say>Never</Say></Response>");
        _world.Receiver.Serve("/busy-line/after", "<Response><Say>Please leave a message</Say></Response>");

        var callSid = _world.CallIn("/busy-line");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));

        var after = Assert.Single(_world.Receiver.At("/busy-line/after"));
        Assert.Equal(("leave", "1"), (after["QueueResult"], after["QueueTime"]));
        Assert.Equal(["Enqueue leave", "Say completed", "Leave completed", "Say completed"], _world.Log(callSid).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
    }

    [Fact]
    public async Task A_full_queue_sends_the_action_queue_full()
    {
        _world.Receiver.Serve("/small", "<Response><Enqueue maxQueueSize=\"1\" action=\"/small/after\">small</Enqueue></Response>");
        _world.Receiver.Serve("/small/after", "<Response><Say>Try again later</Say></Response>");

        var first = _world.CallIn("/small");
        await _world.AdvanceAsync(TimeSpan.Zero);
        var second = _world.CallIn("/small");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(5));

        var after = Assert.Single(_world.Receiver.At("/small/after"));
        Assert.Equal((second, "queue-full"), (after["CallSid"], after["QueueResult"]));
        Assert.DoesNotContain("QueueSid", after.Form.Keys);
        Assert.Equal("queue-full", _world.Log(second).Verbs[0].Outcome);
        Assert.Null(_world.Log(first).Verbs[0].Outcome);
    }

    [Fact]
    public async Task A_caller_hanging_up_in_the_queue_sends_queue_result_hangup()
    {
        _world.Receiver.Serve("/q", "<Response><Enqueue action=\"/q/after\">silent</Enqueue></Response>");
        var callSid = _world.Control.StartInboundCall(new InboundCallRequest
        {
            From = "+14155550100", To = SimulatorWorld.From, Url = SimulatorWorld.Url("/q"), HangUpAfterSeconds = 30,
        });

        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var after = Assert.Single(_world.Receiver.At("/q/after"));
        Assert.Equal(("hangup", "30", "completed"), (after["QueueResult"], after["QueueTime"], after["CallStatus"]));
        Assert.Equal("completed", _world.Log(callSid).Status);
    }

    [Fact]
    public async Task Dial_queue_bridges_the_front_caller_and_both_actions_fire_when_the_bridge_ends()
    {
        _world.Receiver.Serve("/caller", "<Response><Enqueue waitUrl=\"/caller/wait\" action=\"/caller/after\">support</Enqueue></Response>");
        _world.Receiver.Serve("/caller/wait", Hold);
        _world.Receiver.Serve("/caller/after", "<Response><Say>Thanks for calling</Say></Response>");
        _world.Receiver.Serve("/agent", "<Response><Dial action=\"/agent/after\"><Queue>support</Queue></Dial></Response>");
        _world.Receiver.Serve("/agent/after", "<Response><Hangup/></Response>");
        var first = _world.CallIn("/caller");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(3));
        var second = _world.CallIn("/caller");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(2));

        var agent = _world.CallIn("/agent");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var callerAfter = Assert.Single(_world.Receiver.At("/caller/after"));
        Assert.Equal((first, "bridged", "5"), (callerAfter["CallSid"], callerAfter["QueueResult"], callerAfter["QueueTime"]));
        var agentAfter = Assert.Single(_world.Receiver.At("/agent/after"));
        Assert.Equal(("completed", first, "20", "true"), (agentAfter["DialCallStatus"], agentAfter["DialCallSid"], agentAfter["DialCallDuration"], agentAfter["DialBridged"]));
        Assert.Equal(["Enqueue bridged", "Play bridged", "Say completed"], _world.Log(first).Verbs.Select(v => $"{v.Verb} {v.Outcome}"));
        Assert.Equal(["Dial support completed", "Hangup  completed"], _world.Log(agent).Verbs.Select(v => $"{v.Verb} {v.Text} {v.Outcome}"));
        Assert.Null(_world.Log(second).Verbs[0].Outcome);
    }

    [Fact]
    public async Task Dial_queue_on_an_empty_queue_waits_for_a_caller_until_its_timeout()
    {
        _world.Receiver.Serve("/agent", "<Response><Dial timeout=\"10\" action=\"/agent/after\"><Queue>later</Queue></Dial></Response>");
        _world.Receiver.Serve("/caller", "<Response><Enqueue>later</Enqueue></Response>");
        var waiting = _world.CallIn("/agent");
        await _world.AdvanceAsync(TimeSpan.Zero);
        var timedOut = _world.CallIn("/agent");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(4));

        var caller = _world.CallIn("/caller");
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));

        var results = _world.Receiver.At("/agent/after").ToDictionary(r => r["CallSid"]);
        Assert.Equal("no-answer", results[timedOut]["DialCallStatus"]);
        Assert.Equal(("completed", caller, "20"), (results[waiting]["DialCallStatus"], results[waiting]["DialCallSid"], results[waiting]["DialCallDuration"]));
        Assert.Equal("completed", _world.Log(caller).Status);
    }

    [Fact]
    public async Task Queues_and_members_work_through_the_twilio_sdk()
    {
        var created = await QueueResource.CreateAsync("escalations", maxSize: 20, client: _world.Twilio);
        var updated = await QueueResource.UpdateAsync(created.Sid, maxSize: 30, client: _world.Twilio);
        var fetched = await QueueResource.FetchAsync(created.Sid, client: _world.Twilio);
        _world.Receiver.Serve("/esc", "<Response><Enqueue>escalations</Enqueue></Response>");
        var callSid = _world.CallIn("/esc");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(3));

        var member = await MemberResource.FetchAsync(created.Sid, callSid, client: _world.Twilio);
        var front = await MemberResource.FetchAsync(created.Sid, "Front", client: _world.Twilio);
        var unknown = await Assert.ThrowsAsync<ApiException>(() => MemberResource.FetchAsync(created.Sid, "CA00000000000000000000000000000000", client: _world.Twilio));
        var unknownUpdate = await Assert.ThrowsAsync<ApiException>(() => MemberResource.UpdateAsync(
            created.Sid, "CA00000000000000000000000000000000", url: new Uri(SimulatorWorld.Url("/x")), client: _world.Twilio));
        var notEmpty = await Assert.ThrowsAsync<ApiException>(() => QueueResource.DeleteAsync(created.Sid, client: _world.Twilio));
        await CallResource.UpdateAsync(callSid, status: CallResource.UpdateStatusEnum.Completed, client: _world.Twilio);
        var deleted = await QueueResource.DeleteAsync(created.Sid, client: _world.Twilio);
        var gone = await Assert.ThrowsAsync<ApiException>(() => QueueResource.FetchAsync(created.Sid, client: _world.Twilio));

        Assert.Matches("^QU[0-9a-f]{32}$", created.Sid);
        Assert.Equal("escalations", created.FriendlyName);
        Assert.Equal([20, 0, 0, 30, 30], new[] { created.MaxSize, created.CurrentSize, created.AverageWaitTime, updated.MaxSize, fetched.MaxSize });
        Assert.Equal((callSid, created.Sid), (member.CallSid, member.QueueSid));
        Assert.Equal([1, 3], new[] { member.Position, member.WaitTime });
        Assert.NotNull(member.DateEnqueued);
        Assert.Equal(callSid, front.CallSid);
        Assert.Equal((20404, 404), (unknown.Code, unknown.Status));
        Assert.Equal((20404, 404), (unknownUpdate.Code, unknownUpdate.Status));
        Assert.Equal(400, notEmpty.Status);
        Assert.True(deleted);
        Assert.Equal(20404, gone.Code);
    }
}
