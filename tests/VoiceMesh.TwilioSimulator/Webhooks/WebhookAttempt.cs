namespace VoiceMesh.TwilioSimulator.Webhooks;

/// <summary>One webhook the simulator generated and what became of one attempt to deliver it.</summary>
public sealed record WebhookAttempt
{
    public required long Id { get; init; }

    /// <summary>Order in which the simulator generated the webhook (a duplicate shares its original's).</summary>
    public required long Order { get; init; }

    /// <summary>Simulator clock time of the attempt.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary><c>status-callback</c>, <c>voice</c> (TwiML fetch from <c>Url</c>) or <c>amd</c> (async AMD result).</summary>
    public required string Kind { get; init; }

    public string? CallSid { get; init; }

    /// <summary>The URL the signature covers: the callback URL as given, without any <c>#</c> fragment.</summary>
    public required string Url { get; init; }

    /// <summary>Where the request went (differs from <see cref="Url"/> when a webhook target is set).</summary>
    public required string DeliveredTo { get; init; }

    public required string Method { get; init; }

    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public required string IdempotencyToken { get; init; }

    /// <summary>0 for the first attempt, then 1, 2… for retries.</summary>
    public int Attempt { get; init; }

    /// <summary>The receiver's HTTP status; null when dropped, timed out or unreachable.</summary>
    public int? ResponseStatus { get; init; }

    /// <summary><c>timeout</c> or the connection error, when there was no response.</summary>
    public string? Error { get; init; }

    public bool Duplicate { get; init; }

    public bool Dropped { get; init; }

    public bool Delayed { get; init; }

    public bool Reordered { get; init; }
}
