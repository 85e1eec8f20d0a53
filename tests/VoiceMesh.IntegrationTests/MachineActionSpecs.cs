using System.Diagnostics;
using System.Text.Json;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;
using VoiceMesh.TwilioSimulator.Calls;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// A machine's hang-up is decided and stored with the detection, then performed from the event store: neither a
/// Twilio outage nor a crash after the commit loses it, and neither makes it happen twice.
/// </summary>
public sealed class MachineActionSpecs(TestInfrastructure infrastructure) : IAsyncLifetime
{
    private Mesh _mesh = null!;

    public async ValueTask InitializeAsync() =>
        _mesh = await Mesh.Start(await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString, otherServices: Mesh.CallsAlone);

    public ValueTask DisposeAsync() => _mesh.DisposeAsync();

    /// <summary>Places a call a machine answers after <paramref name="ringSeconds"/> simulated seconds; returns its sid.</summary>
    private async Task<string> PlaceToMachine(string to, double ringSeconds)
    {
        _mesh.Simulator.Control.AddOutcome(new OutcomeRule
        {
            Match = to, Outcome = CallOutcomeKind.Machine, AnsweredBy = "machine_start", RingSeconds = ringSeconds, TalkSeconds = 12_000,
        });
        var requestId = await _mesh.Place(new
        {
            to, twiml = "<Response/>", machineDetection = "Enable", asyncAmd = true, onMachine = "hangup", timeoutSeconds = 600,
        });
        var placement = await _mesh.WaitForPlacement(
            requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(60));
        return placement.GetProperty("callSid").GetString()!;
    }

    private Task<JsonElement> WaitForMachine(string callSid) =>
        _mesh.WaitForCall(callSid, c => c.GetProperty("answeredBy").GetString() == "machine_start", TimeSpan.FromSeconds(60));

    private IReadOnlyList<RecordedRequest> HangUps(string callSid) =>
    [
        .. _mesh.Simulator.Control.Requests.Where(r =>
            r.Method == "POST" && r.Path.EndsWith($"/Calls/{callSid}.json", StringComparison.Ordinal)
            && r.Form.TryGetValue("Status", out var status) && status.Contains("completed")),
    ];

    [Fact]
    public async Task Twenty_seconds_of_503_after_the_machine_is_stored_still_hang_up_exactly_once()
    {
        var callSid = await PlaceToMachine("+14155557001", ringSeconds: 400);
        _mesh.Simulator.Control.InjectErrors(new InjectedErrors { Status = 503, Seconds = 20 });
        var outage = Stopwatch.StartNew();

        await WaitForMachine(callSid);
        Assert.True(outage.Elapsed < TimeSpan.FromSeconds(15), $"the machine was stored {outage.Elapsed} into the outage");
        await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(120));

        Assert.True(outage.Elapsed >= TimeSpan.FromSeconds(19), $"hung up {outage.Elapsed} into a 20 s outage");
        Assert.Contains(_mesh.Simulator.Control.Requests, r => r.Path.EndsWith($"/Calls/{callSid}.json", StringComparison.Ordinal) && r.StatusCode == 503);
        Assert.Single(HangUps(callSid), r => r.StatusCode is >= 200 and < 300);
    }

    [Fact]
    public async Task Calls_killed_right_after_the_machine_is_stored_hangs_up_exactly_once_after_a_restart()
    {
        var callSid = await PlaceToMachine("+14155557002", ringSeconds: 400);
        _mesh.Simulator.Control.InjectErrors(new InjectedErrors { Status = 503, Seconds = 8 });

        await WaitForMachine(callSid);
        _mesh.Calls[0].Kill();
        Assert.DoesNotContain(HangUps(callSid), r => r.StatusCode is >= 200 and < 300);
        await Task.Delay(TimeSpan.FromSeconds(8), TestContext.Current.CancellationToken);
        await _mesh.Calls[0].StartAsync();

        await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Single(HangUps(callSid), r => r.StatusCode is >= 200 and < 300);
    }
}
