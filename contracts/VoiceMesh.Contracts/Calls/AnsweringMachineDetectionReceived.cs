namespace VoiceMesh.Contracts.Calls;

/// <summary>Twilio's asynchronous answering-machine detection result for a call.</summary>
public sealed record AnsweringMachineDetectionReceived
{
    public required string CallSid { get; init; }
    public required string AccountSid { get; init; }

    /// <summary>human, machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax or unknown.</summary>
    public required string AnsweredBy { get; init; }

    public int? MachineDetectionDurationMs { get; init; }

    /// <summary>The PlaceCall request id carried in the callback URL, when VoiceMesh placed the call.</summary>
    public string? RequestId { get; init; }

    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required string IdempotencyKey { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}
