namespace VoiceMesh.Contracts.Numbers;

/// <summary>
/// Buy <see cref="Count"/> numbers for <see cref="Pool"/>: searched at Twilio in the given area codes (spread evenly
/// over them) or region, bought with their voice and status URLs pointing at the gateway. <see cref="RequestId"/> makes
/// the command idempotent; the outcome is reported per number at <c>GET /api/numbers/provisioning/{requestId}</c>.
/// </summary>
public sealed record ProvisionNumbers
{
    public required string RequestId { get; init; }
    public required string Pool { get; init; }

    /// <summary>ISO 3166 country, e.g. <c>US</c>.</summary>
    public required string Country { get; init; }

    public IReadOnlyList<int> AreaCodes { get; init; } = [];

    /// <summary>Twilio's <c>InRegion</c> (a state or province), used when no area codes are given.</summary>
    public string? Region { get; init; }

    public required int Count { get; init; }

    /// <summary>What the numbers must be able to do: <see cref="NumberCapabilities"/> values.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [NumberCapabilities.Voice];

    /// <summary>Who asked (a user or system name), recorded with every step.</summary>
    public required string RequestedBy { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Adopt numbers the Twilio account already owns into <see cref="Pool"/> (their URLs are pointed at the gateway).</summary>
public sealed record ImportNumbers
{
    public required string RequestId { get; init; }
    public required string Pool { get; init; }

    /// <summary>E.164 numbers owned by the account.</summary>
    public required IReadOnlyList<string> PhoneNumbers { get; init; }

    public required string RequestedBy { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>
/// Take a number out of service: it is quarantined at once (never chosen again) and deleted at Twilio once the
/// quarantine ends.
/// </summary>
public sealed record ReleaseNumber
{
    /// <summary>E.164.</summary>
    public required string PhoneNumber { get; init; }

    public required string Reason { get; init; }
    public required string RequestedBy { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>
/// Buy one number the provisioning plan chose. Sent by the NumberPool service's outbox once the plan is stored; its
/// consumer checks the number's stream and the account first, so a repeat buys nothing twice.
/// </summary>
public sealed record PurchaseNumber
{
    public required string RequestId { get; init; }
    public required string PhoneNumber { get; init; }
    public required string Pool { get; init; }
    public required string RequestedBy { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>
/// Delete a number at Twilio whose quarantine ended. Sent by the NumberPool service's outbox; its consumer treats a
/// number Twilio no longer holds (20404) as deleted.
/// </summary>
public sealed record DeleteNumberAtTwilio
{
    public required string PhoneNumber { get; init; }
    public required string PhoneNumberSid { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>Capabilities a pool number can be asked for (Twilio's capability names).</summary>
public static class NumberCapabilities
{
    public const string Voice = "voice";
    public const string Sms = "sms";
    public const string Mms = "mms";

    public static IReadOnlyList<string> All { get; } = [Voice, Sms, Mms];
}
