using VoiceMesh.Calls.Lifecycle;

namespace VoiceMesh.Calls.MachineDetection;

/// <summary>Twilio's answering-machine detection decided who answered.</summary>
public sealed record AnsweredByDetected
{
    public required string CallSid { get; init; }
    public required AnsweredBy AnsweredBy { get; init; }

    /// <summary>The account the AMD callback named.</summary>
    public string? AccountSid { get; init; }

    public int? DetectionMilliseconds { get; init; }
    public required string MessageId { get; init; }
    public required DateTimeOffset DetectedAt { get; init; }
}

/// <summary>
/// A machine answered a call whose PlaceCall asked for an action on machines. Stored in the same transaction as
/// the detection and performed from the event store (the outbox forwards it as a HangUpCall or RedirectCall), so a
/// crash or a Twilio outage after the commit never loses it.
/// </summary>
public sealed record MachineActionRequested
{
    public required string CallSid { get; init; }
    public required MachineAction Action { get; init; }

    /// <summary>The TwiML to play to the machine, for <see cref="MachineAction.Message"/>.</summary>
    public string? Twiml { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }
}
