namespace VoiceMesh.Contracts.Calls;

/// <summary>
/// A signed Twilio call status callback, accepted by the gateway. The typed properties are the parameters
/// VoiceMesh reads; <see cref="Parameters"/> carries every form field exactly as Twilio sent it, so
/// parameters Twilio adds later are never lost.
/// </summary>
public sealed record CallStatusCallbackReceived
{
    public required string CallSid { get; init; }
    public required string AccountSid { get; init; }

    /// <summary>Twilio's wire string: queued, initiated, ringing, in-progress, completed, busy, failed, no-answer, canceled.</summary>
    public required string CallStatus { get; init; }

    public string? Direction { get; init; }
    public string? From { get; init; }
    public string? To { get; init; }
    public string? ParentCallSid { get; init; }
    public string? ApiVersion { get; init; }
    public string? AnsweredBy { get; init; }
    public string? CallbackSource { get; init; }

    /// <summary>Twilio's per-call event counter, from 0 in the order Twilio generated the events.</summary>
    public int? SequenceNumber { get; init; }

    /// <summary>When Twilio generated the event (the <c>Timestamp</c> parameter), not when it arrived.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    public int? CallDurationSeconds { get; init; }
    public int? SipResponseCode { get; init; }
    public string? RecordingSid { get; init; }
    public string? RecordingUrl { get; init; }

    /// <summary>Every form parameter of the callback, as received.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    /// <summary>Twilio's <c>I-Twilio-Idempotency-Token</c>, or a hash of the signed request when Twilio sent none.</summary>
    public required string IdempotencyKey { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}
