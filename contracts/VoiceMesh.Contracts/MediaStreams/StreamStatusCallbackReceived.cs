namespace VoiceMesh.Contracts.MediaStreams;

/// <summary>Twilio's Media Streams status callback (<c>statusCallback</c> on <c>&lt;Stream&gt;</c>, REFERENCE §11.1).</summary>
public sealed record StreamStatusCallbackReceived
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string AccountSid { get; init; }

    /// <summary>The stream's <c>name</c>, when one was given.</summary>
    public string? StreamName { get; init; }

    /// <summary><c>stream-started</c>, <c>stream-stopped</c> or <c>stream-error</c>.</summary>
    public required string StreamEvent { get; init; }

    /// <summary>Twilio's error text, only with <c>stream-error</c>.</summary>
    public string? StreamError { get; init; }

    /// <summary>Twilio's <c>Timestamp</c>, as sent (its format is not settled, REFERENCE §11.1).</summary>
    public string? Timestamp { get; init; }

    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required string IdempotencyKey { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}
