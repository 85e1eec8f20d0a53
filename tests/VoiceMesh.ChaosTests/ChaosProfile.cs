namespace VoiceMesh.ChaosTests;

/// <summary>
/// How much traffic the chaos run streams and how often and how long it injects each fault. <c>short</c> (the
/// default, run with every test) injects every fault once under light traffic on Calls and the gateway; <c>full</c>
/// runs every service, streams more and repeats every fault, killing each service on its own. Both are bounded: the run stops by itself after
/// <see cref="Rounds"/> rounds, and every wait has a limit.
/// </summary>
internal sealed record ChaosProfile
{
    /// <summary>The environment variable naming the profile: <c>short</c> or <c>full</c>.</summary>
    public const string ProfileVariable = "VOICEMESH_CHAOS_PROFILE";

    /// <summary>The environment variable naming the folder the report is written into.</summary>
    public const string ReportVariable = "VOICEMESH_CHAOS_REPORT";

    public static ChaosProfile Short { get; } = new()
    {
        Name = "short",
        Rounds = 1,
        CallbacksPerSecond = 15,
        PlacementsPerSecond = 1,
        Outage = TimeSpan.FromSeconds(3),
        SimulatorFaultWindow = TimeSpan.FromSeconds(4),
        Steady = TimeSpan.FromSeconds(2),
        BurstCalls = 100,
        AllServices = false,
        KillServicesOneByOne = false,
        SecondInstanceOfEveryService = false,
    };

    public static ChaosProfile Full { get; } = new()
    {
        Name = "full",
        Rounds = 3,
        CallbacksPerSecond = 40,
        PlacementsPerSecond = 3,
        Outage = TimeSpan.FromSeconds(15),
        SimulatorFaultWindow = TimeSpan.FromSeconds(10),
        Steady = TimeSpan.FromSeconds(10),
        BurstCalls = 500,
        AllServices = true,
        KillServicesOneByOne = true,
        SecondInstanceOfEveryService = true,
    };

    public required string Name { get; init; }

    /// <summary>How many times the whole list of faults is injected.</summary>
    public required int Rounds { get; init; }

    /// <summary>New signed status callbacks per second (duplicates and retries come on top).</summary>
    public required int CallbacksPerSecond { get; init; }

    /// <summary><c>POST /api/calls</c> per second.</summary>
    public required int PlacementsPerSecond { get; init; }

    /// <summary>How long RabbitMQ and PostgreSQL stay down when stopped.</summary>
    public required TimeSpan Outage { get; init; }

    /// <summary>How long the simulator answers with each of its faults (5xx, 429, timeouts).</summary>
    public required TimeSpan SimulatorFaultWindow { get; init; }

    /// <summary>Steady traffic before the first fault and after each recovery.</summary>
    public required TimeSpan Steady { get; init; }

    /// <summary>Calls in the burst (four callbacks each) during which RabbitMQ restarts under its consumers.</summary>
    public required int BurstCalls { get; init; }

    /// <summary>
    /// Whether every manifest service runs (and is killed); else only Calls and the gateway, which take all of the
    /// traffic, so the short profile starts and restarts fewer processes on a loaded machine.
    /// </summary>
    public required bool AllServices { get; init; }

    /// <summary>Whether each service is killed on its own (else all services but Calls and the gateway at once).</summary>
    public required bool KillServicesOneByOne { get; init; }

    /// <summary>Whether every service gets a second instance that is then killed (else Calls only).</summary>
    public required bool SecondInstanceOfEveryService { get; init; }

    /// <summary>How long a fault's recovery is waited for before the run goes on (and the final check reports the damage).</summary>
    public TimeSpan RecoveryLimit { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long a webhook or placement not acknowledged is sent again, a second apart, as Twilio and a client retry.</summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How long the final check waits for every acknowledged request to be applied and every lifecycle to end.</summary>
    public TimeSpan SettleLimit { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The profile <see cref="ProfileVariable"/> names; <c>short</c> when it is unset.</summary>
    public static ChaosProfile FromEnvironment() =>
        (Environment.GetEnvironmentVariable(ProfileVariable) ?? "") switch
        {
            "" or "short" => Short,
            "full" => Full,
            var other => throw new InvalidOperationException($"{ProfileVariable}='{other}' is not a chaos profile (short or full)."),
        };
}
