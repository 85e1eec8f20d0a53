using System.Globalization;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary><c>&lt;Dial&gt;&lt;Conference&gt;</c> participant attributes: <c>participantLabel</c>, <c>muted</c>, <c>coach</c>, <c>maxParticipants</c>.</summary>
public sealed class TwimlConferenceSpecs : IAsyncLifetime
{
    private const string ConferencePath = "/twilio/conference/status";

    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    [Fact]
    public async Task Twiml_participants_carry_label_muted_and_coach_and_a_full_room_or_absent_coach_fails_the_dial()
    {
        _world.Receiver.Serve("/host", $"""
            <Response><Dial><Conference participantLabel="host" maxParticipants="2" statusCallback="{ConferencePath}" statusCallbackEvent="join leave">team</Conference></Dial></Response>
            """);
        var host = _world.CallIn("/host");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));
        _world.Receiver.Serve("/coach", $"""
            <Response><Dial><Conference participantLabel="supervisor" muted="true" coach="{host}">team</Conference></Dial></Response>
            """);
        _world.Receiver.Serve("/bad-coach", """
            <Response><Dial action="/after"><Conference coach="CA00000000000000000000000000000000">team</Conference></Dial></Response>
            """);
        _world.Receiver.Serve("/late", """<Response><Dial action="/after"><Conference participantLabel="late">team</Conference></Dial></Response>""");
        _world.Receiver.Serve("/after", "<Response><Hangup/></Response>");

        var supervisor = _world.CallIn("/coach");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));
        var badCoach = _world.CallIn("/bad-coach");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));
        var late = _world.CallIn("/late");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        var record = _world.Control.ConferenceRecord("team")!;
        Assert.Equal([("host", false, false, null), ("supervisor", true, true, host)],
            record.Participants.Take(2).Select(p => (p.Label, p.Muted, p.Coaching, p.CallSidToCoach)));
        Assert.Equal(("late", null, "participant_add_failed"), (record.Participants[2].Label, record.Participants[2].JoinedAt, record.Participants[2].ReasonLeft));
        Assert.Equal(3, record.Participants.Count);
        Assert.Equal(13240, _world.Log(badCoach).ErrorCode);
        var afters = _world.Receiver.At("/after");
        Assert.Equal(2, afters.Count);
        Assert.All(afters, a => Assert.Equal(("failed", "false"), (a["DialCallStatus"], a["DialBridged"])));
        var joins = _world.Receiver.At(ConferencePath).OrderBy(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(("participant-join", "supervisor", "true", "true"), (joins[1]["StatusCallbackEvent"], joins[1]["ParticipantLabel"], joins[1]["Muted"], joins[1]["Coaching"]));
        Assert.Equal(("participant-leave", late), (joins[2]["StatusCallbackEvent"], joins[2]["CallSid"]));
        Assert.Equal("in-progress", _world.Log(supervisor).Status);
        Assert.Equal("completed", _world.Log(late).Status);
    }
}
