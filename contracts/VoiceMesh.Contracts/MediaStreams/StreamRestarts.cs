namespace VoiceMesh.Contracts.MediaStreams;

/// <summary>
/// Restart a one-way stream whose WebSocket dropped while its call was live, through Twilio's Streams REST resource.
/// Sent by the MediaStreams service's outbox after it stored the drop; its consumer checks the call first.
/// </summary>
public sealed record RestartStreamAfterDrop
{
    /// <summary>The stream that dropped.</summary>
    public required string StreamSid { get; init; }

    public required string CallSid { get; init; }

    /// <summary>Twilio's <c>Track</c>: <c>inbound_track</c>, <c>outbound_track</c> or <c>both_tracks</c>.</summary>
    public required string Track { get; init; }

    /// <summary>The dropped stream's <c>&lt;Parameter&gt;</c>s, sent again on the new stream.</summary>
    public required IReadOnlyDictionary<string, string> CustomParameters { get; init; }

    /// <summary>When the socket dropped.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>A dropped stream was restarted at Twilio as <see cref="RestartedStreamSid"/>; audio was missing from <see cref="DroppedAt"/> until the new stream starts.</summary>
public sealed record MediaStreamRestarted
{
    public required string StreamSid { get; init; }
    public required string CallSid { get; init; }
    public required string RestartedStreamSid { get; init; }
    public required DateTimeOffset DroppedAt { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}
