using System.Text.RegularExpressions;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Control;

/// <summary>Checks the fields of the conference commands (API and bus alike); the first violation names its field.</summary>
public static partial class ConferenceCommandValidator
{
    public const int MaxRequestIdLength = 100;
    public const int MinParticipants = 2;
    public const int MaxParticipants = 250;

    /// <summary>Twilio's conference regions (REFERENCE §9.12).</summary>
    public static readonly IReadOnlyList<string> Regions = ["us1", "us2", "ie1", "de1", "sg1", "br1", "au1", "jp1"];

    public static (string Field, string Reason)? Validate(CreateConference c) =>
        RequestId(c.RequestId) ?? FriendlyName(c.FriendlyName)
        ?? When(c.MaxParticipants is < MinParticipants or > MaxParticipants, "MaxParticipants", $"MaxParticipants must be {MinParticipants} to {MaxParticipants}.")
        ?? Url("WaitUrl", c.WaitUrl)
        ?? When(c.Region is not null && !Regions.Contains(c.Region, StringComparer.Ordinal), "Region", $"Region must be one of {string.Join(", ", Regions)}.")
        ?? When(c.Beep is { } beep && !Enum.IsDefined(beep), "Beep", "Beep must be true, false, onEnter or onExit.");

    public static (string Field, string Reason)? Validate(AddParticipant c) =>
        RequestId(c.RequestId) ?? FriendlyName(c.FriendlyName)
        ?? When(!E164().IsMatch(c.To ?? ""), "To", "To must be an E.164 number, e.g. +14155550100.")
        ?? When(c.From is null && c.CallerIdPool is null, "From", "From (an E.164 caller id) or CallerIdPool (the number pool to lease one from) is required.")
        ?? When(c.From is not null && c.CallerIdPool is not null, "CallerIdPool", "Give From or CallerIdPool, not both.")
        ?? When(c.From is not null && !E164().IsMatch(c.From), "From", "From must be an E.164 number, e.g. +14155550100.")
        ?? When(c.CallerIdPool is not null && (string.IsNullOrWhiteSpace(c.CallerIdPool) || c.CallerIdPool.Length > 64), "CallerIdPool", "CallerIdPool is a number pool's name, 1-64 characters.")
        ?? When(!Enum.IsDefined(c.Role), "Role", "Role must be moderator, attendee or coach.")
        ?? When(c.Role == ParticipantRole.Coach && !CallSids.IsValid(c.CallSidToCoach), "CallSidToCoach", "A coach needs CallSidToCoach, the call it coaches: " + CallSids.Description)
        ?? When(c.Role != ParticipantRole.Coach && c.CallSidToCoach is not null, "CallSidToCoach", "Only a coach coaches a call.")
        ?? When(c.Label is { Length: > 128 } || c.Label?.Contains('\0', StringComparison.Ordinal) == true, "Label", "Label is at most 128 characters.");

    /// <summary>The fields every participant command has.</summary>
    public static (string Field, string Reason)? Validate(string requestId, string conferenceSid, string? callSid) =>
        RequestId(requestId)
        ?? When(!ConferenceSids.IsValid(conferenceSid), "ConferenceSid", ConferenceSids.Description)
        ?? When(callSid is not null && !CallSids.IsValid(callSid), "CallSid", CallSids.Description);

    public static (string Field, string Reason)? Validate(HoldParticipant c) => Validate(c.RequestId, c.ConferenceSid, c.CallSid) ?? Url("HoldUrl", c.HoldUrl);

    public static (string Field, string Reason)? Validate(CoachParticipant c) =>
        Validate(c.RequestId, c.ConferenceSid, c.CallSid)
        ?? When(c.CallSidToCoach is not null && !CallSids.IsValid(c.CallSidToCoach), "CallSidToCoach", CallSids.Description)
        ?? When(c.CallSidToCoach == c.CallSid, "CallSidToCoach", "A participant cannot coach itself.");

    public static (string Field, string Reason)? Validate(AnnounceToConference c) =>
        Validate(c.RequestId, c.ConferenceSid, null) ?? (c.Url is null ? ("Url", "Url is required.") : Url("Url", c.Url));

    private static (string Field, string Reason)? RequestId(string? requestId) =>
        string.IsNullOrWhiteSpace(requestId) || requestId.Length > MaxRequestIdLength || requestId.Contains('\0', StringComparison.Ordinal)
            ? ("RequestId", $"RequestId is required, at most {MaxRequestIdLength} characters.")
            : null;

    private static (string Field, string Reason)? FriendlyName(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > ConferenceSids.MaxFriendlyNameLength || name.Contains('\0', StringComparison.Ordinal)
            ? ("FriendlyName", $"FriendlyName is required, at most {ConferenceSids.MaxFriendlyNameLength} characters.")
            : null;

    private static (string Field, string Reason)? Url(string field, string? url) =>
        url is null || (Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
            ? null
            : (field, $"{field} must be an absolute http(s) URL.");

    private static (string Field, string Reason)? When(bool invalid, string field, string reason) => invalid ? (field, reason) : null;

    [GeneratedRegex(@"^\+[1-9]\d{1,14}$")]
    private static partial Regex E164();
}
