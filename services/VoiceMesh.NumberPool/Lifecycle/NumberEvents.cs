namespace VoiceMesh.NumberPool.Lifecycle;

/// <summary>A provisioning plan chose the number for <see cref="Pool"/>; buying it at Twilio is next.</summary>
public sealed record NumberProvisioningStarted(string PhoneNumber, string Pool, string RequestId, string RequestedBy, DateTimeOffset StartedAt);

/// <summary>
/// The number is owned (bought, or adopted from the account) and active in <see cref="Pool"/>, its Voice URL, Voice
/// fallback URL and status callback pointing at the gateway; where it is (<see cref="IsoCountry"/> ...
/// <see cref="TimeZone"/>) decides which destinations it is local to.
/// </summary>
public sealed record NumberActivated
{
    public required string PhoneNumber { get; init; }
    public required string PhoneNumberSid { get; init; }
    public required string Pool { get; init; }
    public required NumberOrigin Origin { get; init; }
    public required string IsoCountry { get; init; }
    public string? AreaCode { get; init; }
    public string? Exchange { get; init; }
    public string? Region { get; init; }
    public string? TimeZone { get; init; }
    public required Uri VoiceUrl { get; init; }

    /// <summary>The gateway's fallback route; null in events recorded before numbers were given one.</summary>
    public Uri? VoiceFallbackUrl { get; init; }

    public required Uri StatusCallback { get; init; }
    public required string RequestedBy { get; init; }
    public required DateTimeOffset ActivatedAt { get; init; }
}

/// <summary>Twilio refused to sell the number (its error code and message); the pool never holds it.</summary>
public sealed record NumberProvisioningRefused(string PhoneNumber, string Pool, string RequestId, int ErrorCode, string ErrorMessage, DateTimeOffset RefusedAt);

/// <summary>Release was asked for: the number is never chosen again and is deleted at Twilio after <see cref="Until"/>.</summary>
public sealed record NumberQuarantined(string PhoneNumber, string Reason, string RequestedBy, DateTimeOffset QuarantinedAt, DateTimeOffset Until);

/// <summary>The quarantine ended: the number is to be deleted at Twilio (performed from the event store).</summary>
public sealed record NumberDeletionRequested(string PhoneNumber, string PhoneNumberSid, DateTimeOffset RequestedAt);

/// <summary>Twilio no longer holds the number (deleted, or found gone: 20404).</summary>
public sealed record NumberReleased(string PhoneNumber, string PhoneNumberSid, string Pool, bool AlreadyGone, DateTimeOffset ReleasedAt);

/// <summary>The number is taken out of selection by request until it is resumed; an open lease runs to its end.</summary>
public sealed record NumberSuspended(string PhoneNumber, string Reason, string RequestedBy, DateTimeOffset SuspendedAt);

/// <summary>A suspended number is back in selection.</summary>
public sealed record NumberResumed(string PhoneNumber, string Reason, string RequestedBy, DateTimeOffset ResumedAt);
