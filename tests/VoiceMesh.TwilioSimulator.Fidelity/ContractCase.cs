namespace VoiceMesh.TwilioSimulator.Fidelity;

/// <summary>One set of Twilio SDK calls, run the same way against every target and held to one expectation.</summary>
internal sealed record ContractCase(string Name, Expectation Expected, Func<FidelityTarget, Task<Observation>> RunAsync)
{
    /// <summary>Why real Twilio's test credentials cannot run this case, so it runs against the simulator only; null when they can.</summary>
    public string? SimulatorOnly { get; init; }
}
