using System.Collections.Immutable;
using System.Globalization;
using VoiceMesh.NumberPool.Reputation;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>One step of a number's lifecycle: the state it reached, why, and who asked.</summary>
public sealed record NumberStep(NumberState State, string Reason, string By, DateTimeOffset At);

/// <summary>What a suspend or resume request met.</summary>
public enum SuspensionOutcome
{
    NotFound,
    Done,
    Unchanged,
    NotActive,
}

/// <summary>What a release request met.</summary>
public enum ReleaseOutcome
{
    NotFound,
    Quarantined,
    AlreadyReleasing,
    NotOwned,
}

/// <summary>
/// One number's stream (keyed by its E.164 form) and the document its read model is served from. Decisions are pure
/// and answer a repeat with nothing.
/// </summary>
public sealed record Number
{
    public required string Id { get; init; }
    public required string Pool { get; init; }
    public required NumberState State { get; init; }
    public string? PhoneNumberSid { get; init; }
    public NumberOrigin? Origin { get; init; }
    public string? IsoCountry { get; init; }
    public string? AreaCode { get; init; }
    public string? Exchange { get; init; }
    public string? Region { get; init; }
    public string? TimeZone { get; init; }
    public Uri? VoiceUrl { get; init; }
    public Uri? VoiceFallbackUrl { get; init; }
    public Uri? StatusCallback { get; init; }

    /// <summary>Which inbound flow answers the number (the Calls service's flow name); null: the default flow.</summary>
    public string? InboundFlow { get; init; }

    public string? RequestId { get; init; }
    public int? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public DateTimeOffset? QuarantineUntil { get; init; }

    /// <summary>Until when the number cools down for its reputation (state <c>cooling-down</c>).</summary>
    public DateTimeOffset? CoolingDownUntil { get; init; }

    /// <summary>The evidence of the last reputation cooldown, kept after it ended.</summary>
    public ReputationEvidence? Reputation { get; init; }

    public bool DeletionRequested { get; init; }
    public ImmutableList<NumberStep> History { get; init; } = [];

    public static Number Create(NumberProvisioningStarted e) => new()
    {
        Id = e.PhoneNumber,
        Pool = e.Pool,
        State = NumberState.Provisioning,
        RequestId = e.RequestId,
        History = [new NumberStep(NumberState.Provisioning, $"provisioning request {e.RequestId}", e.RequestedBy, e.StartedAt)],
    };

    public static Number Create(NumberActivated e) => Apply(e, new Number { Id = e.PhoneNumber, Pool = e.Pool, State = NumberState.Provisioning });

    public static Number Apply(NumberActivated e, Number number) => number with
    {
        State = NumberState.Active,
        PhoneNumberSid = e.PhoneNumberSid,
        Origin = e.Origin,
        IsoCountry = e.IsoCountry,
        AreaCode = e.AreaCode,
        Exchange = e.Exchange,
        Region = e.Region,
        TimeZone = e.TimeZone,
        VoiceUrl = e.VoiceUrl,
        VoiceFallbackUrl = e.VoiceFallbackUrl,
        StatusCallback = e.StatusCallback,
        History = number.History.Add(new NumberStep(NumberState.Active, e.Origin.ToWire(), e.RequestedBy, e.ActivatedAt)),
    };

    public static Number Apply(NumberProvisioningRefused e, Number number) => number with
    {
        State = NumberState.Failed,
        ErrorCode = e.ErrorCode,
        ErrorMessage = e.ErrorMessage,
        History = number.History.Add(new NumberStep(NumberState.Failed, $"Twilio {e.ErrorCode}: {e.ErrorMessage}", "twilio", e.RefusedAt)),
    };

    public static Number Apply(NumberQuarantined e, Number number) => number with
    {
        State = NumberState.Quarantined,
        QuarantineUntil = e.Until,
        History = number.History.Add(new NumberStep(NumberState.Quarantined, e.Reason, e.RequestedBy, e.QuarantinedAt)),
    };

    public static Number Apply(ReputationDegraded e, Number number) => number with
    {
        State = NumberState.CoolingDown,
        CoolingDownUntil = e.Until,
        Reputation = e.Evidence,
        History = number.History.Add(new NumberStep(NumberState.CoolingDown, Describe(e.Evidence), "reputation", e.DegradedAt)),
    };

    public static Number Apply(ReputationCooldownEnded e, Number number) => number with
    {
        State = NumberState.Active,
        CoolingDownUntil = null,
        History = number.History.Add(new NumberStep(NumberState.Active, "reputation cooldown ended", "reputation", e.EndedAt)),
    };

    public static Number Apply(NumberSuspended e, Number number) => number with
    {
        State = NumberState.Suspended,
        History = number.History.Add(new NumberStep(NumberState.Suspended, e.Reason, e.RequestedBy, e.SuspendedAt)),
    };

    public static Number Apply(NumberResumed e, Number number) => number with
    {
        State = NumberState.Active,
        History = number.History.Add(new NumberStep(NumberState.Active, e.Reason, e.RequestedBy, e.ResumedAt)),
    };

    public static Number Apply(NumberDeletionRequested e, Number number) => number with { DeletionRequested = true };

    public static Number Apply(NumberReleased e, Number number) => number with
    {
        State = NumberState.Released,
        History = number.History.Add(new NumberStep(
            NumberState.Released, e.AlreadyGone ? "quarantine ended; Twilio no longer held it" : "quarantine ended; deleted at Twilio", "numberpool", e.ReleasedAt)),
    };

    /// <summary>A plan's purchase starts the number's stream once; a number the service ever held is never bought again.</summary>
    public static Decision StartProvisioning(Number? number, NumberProvisioningStarted started) =>
        number is null ? new object[] { started } : Decision.None;

    /// <summary>The purchase's outcome is recorded once, on a number still being provisioned.</summary>
    public static Decision Complete(Number? number, object outcome) =>
        number is { State: NumberState.Provisioning } ? new[] { outcome } : Decision.None;

    /// <summary>Adopting a number the account owns: only one the service never held.</summary>
    public static Decision Import(Number? number, NumberActivated activated) =>
        number is null ? new object[] { activated } : Decision.None;

    /// <summary>An owned number is quarantined once; provisioning or failed numbers are not owned.</summary>
    public static (Decision Decision, ReleaseOutcome Outcome) Release(
        Number? number, string reason, string requestedBy, DateTimeOffset now, TimeSpan quarantine) => number switch
    {
        null => (Decision.None, ReleaseOutcome.NotFound),
        { State: NumberState.Active or NumberState.CoolingDown or NumberState.Suspended } => (
            new object[] { new NumberQuarantined(number.Id, reason, requestedBy, now, now + quarantine) }, ReleaseOutcome.Quarantined),
        { State: NumberState.Quarantined or NumberState.Released } => (Decision.None, ReleaseOutcome.AlreadyReleasing),
        _ => (Decision.None, ReleaseOutcome.NotOwned),
    };

    /// <summary>An active number whose reputation degraded cools down, once; any other state changes nothing.</summary>
    public static Decision Degrade(Number? number, ReputationEvidence evidence, TimeSpan cooldown, DateTimeOffset now) =>
        number is { State: NumberState.Active }
            ? new object[] { new ReputationDegraded(number.Id, number.Pool, evidence, now + cooldown, now) }
            : Decision.None;

    /// <summary>A reputation cooldown that is over ends, once.</summary>
    public static Decision EndCooldown(Number? number, DateTimeOffset now) =>
        number is { State: NumberState.CoolingDown, CoolingDownUntil: { } until } && until <= now
            ? new object[] { new ReputationCooldownEnded(number.Id, now) }
            : Decision.None;

    /// <summary>An active or cooling-down number is suspended; a suspended one is left as it is.</summary>
    public static (Decision Decision, SuspensionOutcome Outcome) Suspend(Number? number, string reason, string requestedBy, DateTimeOffset now) => number switch
    {
        null => (Decision.None, SuspensionOutcome.NotFound),
        { State: NumberState.Active or NumberState.CoolingDown } => (
            new object[] { new NumberSuspended(number.Id, reason, requestedBy, now) }, SuspensionOutcome.Done),
        { State: NumberState.Suspended } => (Decision.None, SuspensionOutcome.Unchanged),
        _ => (Decision.None, SuspensionOutcome.NotActive),
    };

    /// <summary>A suspended number is resumed; an active one is left as it is.</summary>
    public static (Decision Decision, SuspensionOutcome Outcome) Resume(Number? number, string reason, string requestedBy, DateTimeOffset now) => number switch
    {
        null => (Decision.None, SuspensionOutcome.NotFound),
        { State: NumberState.Suspended } => (new object[] { new NumberResumed(number.Id, reason, requestedBy, now) }, SuspensionOutcome.Done),
        { State: NumberState.Active } => (Decision.None, SuspensionOutcome.Unchanged),
        _ => (Decision.None, SuspensionOutcome.NotActive),
    };

    private static string Describe(ReputationEvidence e) => string.Create(
        CultureInfo.InvariantCulture,
        $"answer rate {e.AnswerRate:P0} over {e.Calls} calls, the rest of the pool {e.PoolAnswerRate:P0} over {e.PoolCalls} (last {e.Window})");

    /// <summary>Once its quarantine ended, a number is to be deleted at Twilio, once.</summary>
    public static Decision EndQuarantine(Number? number, DateTimeOffset now) =>
        number is { State: NumberState.Quarantined, DeletionRequested: false, QuarantineUntil: { } until, PhoneNumberSid: { } sid } && until <= now
            ? new object[] { new NumberDeletionRequested(number.Id, sid, now) }
            : Decision.None;

    /// <summary>The deletion at Twilio is recorded once, after it was requested.</summary>
    public static Decision Released(Number? number, bool alreadyGone, DateTimeOffset now) =>
        number is { State: NumberState.Quarantined, DeletionRequested: true, PhoneNumberSid: { } sid }
            ? new object[] { new NumberReleased(number.Id, sid, number.Pool, alreadyGone, now) }
            : Decision.None;
}
