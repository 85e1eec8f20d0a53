namespace VoiceMesh.Contracts.Conferences;

/// <summary>
/// A signed Twilio conference status callback (REFERENCE §3.2), accepted by the gateway. The typed properties are every
/// parameter of §3.2, closed value sets as enums; <see cref="Parameters"/> carries every form field exactly as Twilio
/// sent it, so parameters Twilio adds later are never lost.
/// </summary>
public sealed record ConferenceCallbackReceived
{
    public required string ConferenceSid { get; init; }
    public required string FriendlyName { get; init; }
    public required string AccountSid { get; init; }
    public required ConferenceCallbackEvent StatusCallbackEvent { get; init; }

    /// <summary>Twilio's per-conference event counter, in the order Twilio generated the events.</summary>
    public int? SequenceNumber { get; init; }

    /// <summary>When Twilio generated the event (RFC 2822, whole seconds), not when it arrived.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The participant's call, on participant events.</summary>
    public string? CallSid { get; init; }

    public bool? Muted { get; init; }
    public bool? Hold { get; init; }
    public bool? Coaching { get; init; }
    public bool? EndConferenceOnExit { get; init; }
    public bool? StartConferenceOnEnter { get; init; }
    public string? ParticipantLabel { get; init; }

    /// <summary>On <c>participant-leave</c>.</summary>
    public ParticipantCallStatus? ParticipantCallStatus { get; init; }

    /// <summary>On <c>participant-leave</c>.</summary>
    public ParticipantLeftReason? ReasonParticipantLeft { get; init; }

    /// <summary>On <c>conference-end</c>.</summary>
    public ConferenceEndedReason? ReasonConferenceEnded { get; init; }

    /// <summary>On <c>conference-end</c>: Twilio's free-text reason.</summary>
    public string? Reason { get; init; }

    public string? CallSidEndingConference { get; init; }
    public string? ParticipantLabelEndingConference { get; init; }

    /// <summary>On announcement events.</summary>
    public string? AnnounceUrl { get; init; }

    public string? ReasonAnnouncementFailed { get; init; }

    /// <summary>Every form parameter of the callback, as received.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>Twilio's <c>I-Twilio-Idempotency-Token</c>, or a hash of the signed request when Twilio sent none.</summary>
    public required string IdempotencyKey { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}
