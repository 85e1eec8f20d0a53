namespace VoiceMesh.TwilioSimulator.Calls;

/// <summary>A simulated call. Mutable: read and write it only under <see cref="Gate"/>.</summary>
internal sealed class SimCall
{
    public Lock Gate { get; } = new();

    public required string Sid { get; init; }

    public required string AccountSid { get; init; }

    public required string AuthToken { get; init; }

    public required string To { get; init; }

    public required string From { get; init; }

    public required OutcomeRule Outcome { get; init; }

    public required IReadOnlySet<string> Events { get; init; }

    public required TimeSpan RingTimeout { get; init; }

    /// <summary>Longest the call may last once answered (<c>TimeLimit</c>, default 14,400 s), scaled.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.MaxValue;

    /// <summary><c>outbound-api</c> (Calls create) or <c>inbound</c> (admin inbound call, runs TwiML).</summary>
    public string Direction { get; init; } = "outbound-api";

    public string? Url { get; set; }

    public string Method { get; set; } = "POST";

    public string? Twiml { get; set; }

    public string? StatusCallback { get; set; }

    public string StatusCallbackMethod { get; set; } = "POST";

    public string? MachineDetection { get; init; }

    public bool AsyncAmd { get; init; }

    public string? AsyncAmdStatusCallback { get; init; }

    public string AsyncAmdStatusCallbackMethod { get; init; } = "POST";

    public bool Record { get; init; }

    /// <summary>Set for a call dialled by Participants create.</summary>
    public string? ConferenceSid { get; init; }

    public string? RecordingStatusCallback { get; init; }

    public string RecordingStatusCallbackMethod { get; init; } = "POST";

    /// <summary>Internal status: <c>queued</c>, <c>initiated</c>, <c>ringing</c>, <c>in-progress</c> or a terminal one.</summary>
    public string Status { get; set; } = "queued";

    public required DateTimeOffset DateCreated { get; init; }

    public DateTimeOffset DateUpdated { get; set; }

    /// <summary>When dialling started (initiated), as Twilio's <c>start_time</c>.</summary>
    public DateTimeOffset? StartTime { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }

    public DateTimeOffset? EndTime { get; set; }

    public string? AnsweredBy { get; set; }

    public int? SipResponseCode { get; set; }

    /// <summary>Next status-callback <c>SequenceNumber</c>.</summary>
    public int SequenceNumber { get; set; }

    /// <summary>Bumped by REST updates that end the call, so steps scheduled before are skipped.</summary>
    public int Generation { get; set; }

    /// <summary>What the call cost, fixed when it ended (<see cref="CallPricing"/>); the REST resource shows it once <see cref="PriceSet"/>.</summary>
    public SimulatedCallPrice? Price { get; set; }

    /// <summary>Whether the pricing delay after the end has passed, so <c>price</c> and <c>price_unit</c> are set.</summary>
    public bool PriceSet { get; set; }

    public bool IsTerminal => Status is "completed" or "busy" or "no-answer" or "failed" or "canceled";

    /// <summary>Seconds between answer and hang-up.</summary>
    public int DurationSeconds => AnsweredAt is { } start && EndTime is { } end ? (int)Math.Round((end - start).TotalSeconds) : 0;
}
