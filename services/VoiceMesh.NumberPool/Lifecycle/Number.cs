using System.Collections.Immutable;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>One step of a number's lifecycle: the state it reached, why, and who asked.</summary>
public sealed record NumberStep(NumberState State, string Reason, string By, DateTimeOffset At);

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
    public Uri? StatusCallback { get; init; }

    /// <summary>Which inbound flow answers the number (the Calls service's flow name); null: the default flow.</summary>
    public string? InboundFlow { get; init; }

    public string? RequestId { get; init; }
    public int? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public DateTimeOffset? QuarantineUntil { get; init; }
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
        { State: NumberState.Active or NumberState.CoolingDown } => (
            new object[] { new NumberQuarantined(number.Id, reason, requestedBy, now, now + quarantine) }, ReleaseOutcome.Quarantined),
        { State: NumberState.Quarantined or NumberState.Released } => (Decision.None, ReleaseOutcome.AlreadyReleasing),
        _ => (Decision.None, ReleaseOutcome.NotOwned),
    };

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
