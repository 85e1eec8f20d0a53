using System.Diagnostics;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.ChaosTests;

/// <summary>
/// The faults of issue 15's chaos suite, injected one after another while the traffic streams: (a) SIGKILL and
/// restart of every process, (b) RabbitMQ stopped and started, (c) PostgreSQL restarted, (d) the simulator answering
/// 5xx, 429 and too late, (e) a second instance of a service started and then one of the two killed, (f) RabbitMQ
/// restarted while Calls is in the middle of a burst.
/// </summary>
internal static class ChaosFaults
{
    /// <summary>Longer than the Twilio client's attempt timeout (10 s, ServiceDefaults.Twilio): every request made in the window times out.</summary>
    private static readonly TimeSpan SimulatorTooLate = TimeSpan.FromSeconds(12);

    /// <summary>Injects every fault once; <paramref name="round"/> (from 0) names the faults of a profile that repeats them.</summary>
    public static async Task InjectAll(ChaosHarness harness, int round)
    {
        var profile = harness.Profile;
        string Named(string fault) => profile.Rounds > 1 ? $"{fault} (round {round + 1})" : fault;
        foreach (var group in KillGroups(harness))
        {
            await harness.Inject("a", Named($"SIGKILL {string.Join(", ", group.Select(p => p.Name))}"),
                "killed with SIGKILL while the traffic streams, then started again on the same port",
                async _ => await KillAndRestart(group.Select(p => p.Process)));
        }

        await harness.Inject("b", Named("RabbitMQ stop/start"), $"the broker stopped, kept down {profile.Outage.TotalSeconds:F0} s, started again",
            async _ =>
            {
                await harness.Broker.StopAsync();
                await Task.Delay(profile.Outage);
                await harness.Broker.StartAsync();
            });

        await harness.Inject("c", Named("PostgreSQL restart"), $"the database stopped (fast shutdown), kept down {profile.Outage.TotalSeconds:F0} s, started again",
            async _ =>
            {
                await harness.Postgres.StopAsync();
                await Task.Delay(profile.Outage);
                await harness.Postgres.StartAsync();
            });

        var simulator = harness.Mesh.Simulator.Control;
        await harness.Inject("d", Named("simulator 5xx"), $"every Twilio REST request answered 503 for {profile.SimulatorFaultWindow.TotalSeconds:F0} s",
            async _ => await Window(simulator, profile, () => simulator.InjectErrors(new InjectedErrors { Status = 503 })));
        await harness.Inject("d", Named("simulator 429"), $"Calls create limited to 1 per second (429, code 20429) for {profile.SimulatorFaultWindow.TotalSeconds:F0} s",
            async _ => await Window(simulator, profile, () => simulator.SetCallsPerSecond(1)));
        await harness.Inject("d", Named("simulator timeouts"),
            $"every Twilio REST answer held {SimulatorTooLate.TotalSeconds:F0} s (past the client's timeout) for {profile.SimulatorFaultWindow.TotalSeconds:F0} s, "
            + "and the next two creates succeed with their answer held back",
            async _ => await Window(simulator, profile, () =>
            {
                simulator.SetLatency(SimulatorTooLate);
                simulator.FailCreateResponses(new CreateResponseFault { Mode = CreateResponseFaultMode.Delay, Delay = SimulatorTooLate, Count = 2 });
            }));

        foreach (var service in profile.SecondInstanceOfEveryService ? harness.Processes.Select(p => p.Name).Where(n => n != "gateway") : ["calls"])
        {
            await harness.Inject("e", Named($"second {service}, one killed"),
                $"a second {service} process competing for the same queues for {profile.Steady.TotalSeconds + 3:F0} s, then killed with SIGKILL",
                async _ =>
                {
                    var second = await harness.Mesh.StartAnotherInstance(service);
                    await Task.Delay(profile.Steady + TimeSpan.FromSeconds(3));
                    second.Kill();
                });
        }

        await harness.Inject("f", Named("RabbitMQ restart under a burst"),
            $"{profile.BurstCalls * 4} callbacks at once, the broker stopped while Calls holds unacknowledged deliveries, "
            + $"kept down {profile.Outage.TotalSeconds:F0} s, started again",
            async fault =>
            {
                var burst = harness.Callbacks.Burst(profile.BurstCalls);
                fault.Note = await UntilConsumerBusy(harness);
                await harness.Broker.StopAsync();
                await Task.Delay(profile.Outage);
                await harness.Broker.StartAsync();
                await burst;
            });
    }

    /// <summary>Calls alone, the other services (one by one, or at once in the short profile), then the gateway.</summary>
    private static IEnumerable<List<(string Name, ServiceProcess Process)>> KillGroups(ChaosHarness harness)
    {
        var processes = harness.Processes;
        var others = processes.Where(p => p.Name is not "calls" and not "gateway").ToList();
        yield return [processes.Single(p => p.Name == "calls")];
        if (harness.Profile.KillServicesOneByOne)
        {
            foreach (var other in others)
            {
                yield return [other];
            }
        }
        else if (others.Count > 0)
        {
            yield return others;
        }

        yield return [processes.Single(p => p.Name == "gateway")];
    }

    private static async Task KillAndRestart(IEnumerable<ServiceProcess> processes)
    {
        var killed = processes.ToList();
        foreach (var process in killed)
        {
            process.Kill();
        }

        await Task.WhenAll(killed.Select(p => p.StartAsync()));
    }

    private static async Task Window(SimulatorControl simulator, ChaosProfile profile, Action fault)
    {
        fault();
        try
        {
            await Task.Delay(profile.SimulatorFaultWindow);
        }
        finally
        {
            simulator.ClearFaults();
        }
    }

    /// <summary>
    /// Polls (at most 15 s) until RabbitMQ shows deliveries Calls has not acknowledged yet (its statistics lag up to
    /// 5 s), or half the burst was acknowledged by the gateway while Calls applies it; says which, for the report.
    /// </summary>
    private static async Task<string> UntilConsumerBusy(ChaosHarness harness)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(15))
        {
            var unacknowledged = await harness.Queues.Unacknowledged(ChaosHarness.CallbackQueue, CancellationToken.None);
            if (unacknowledged > 0)
            {
                return $"the broker stopped while Calls held {unacknowledged} unacknowledged deliveries";
            }

            var burst = harness.Callbacks.LastBurst;
            var acknowledged = burst.Count(d => d.Acknowledged);
            if (burst.Count > 0 && acknowledged * 2 >= burst.Count)
            {
                var calls = burst.Select(d => d.Webhook.CallSid).Distinct().ToList();
                var applied = await harness.Ledger.Applied(calls, CancellationToken.None);
                return $"the broker stopped with {acknowledged} of {burst.Count} burst deliveries acknowledged and "
                    + $"{applied.Count} of the {calls.Count * 4} reports of its calls applied";
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        return "the broker stopped after 15 s without seeing Calls busy";
    }
}
