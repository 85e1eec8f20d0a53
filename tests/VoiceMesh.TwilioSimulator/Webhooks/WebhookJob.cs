namespace VoiceMesh.TwilioSimulator.Webhooks;

/// <summary>A webhook to deliver: the URL as the customer gave it (fragment included) and its fields.</summary>
internal sealed record WebhookJob
{
    public required string Kind { get; init; }

    public string? CallSid { get; init; }

    /// <summary>Set on conference callbacks, which carry no call of their own.</summary>
    public string? ConferenceSid { get; init; }

    /// <summary>The call or conference whose webhooks chaos may reorder among themselves.</summary>
    public string? Stream => CallSid ?? ConferenceSid;

    public required string Url { get; init; }

    public string Method { get; init; } = "POST";

    public required IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; }

    public required string AuthToken { get; init; }

    /// <summary>Simulator time the webhook was generated at; a chaos delay counts from here.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    public required string IdempotencyToken { get; init; }

    /// <summary>The call's (or conference's) last webhook: a reordered webhook held before it is released with it.</summary>
    public bool IsLast { get; init; }

    public long Order { get; init; }

    public bool Duplicate { get; init; }

    public bool Delayed { get; init; }

    public bool Reordered { get; init; }
}
