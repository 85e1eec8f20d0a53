using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Retention;

/// <summary>How long archived recordings are kept (<c>Recordings:Retention</c>), and how the purge job runs.</summary>
public sealed class RetentionOptions : IConfigurationOptions
{
    public static string Section => "Recordings:Retention";

    /// <summary>The name a recording's schedule carries when no policy matched it.</summary>
    public const string DefaultPolicy = "default";

    /// <summary>How long a recording no policy matches is kept after it was archived; null (absent) keeps it forever.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "36500.00:00:00")]
    public TimeSpan? KeepFor { get; set; }

    /// <summary>How often the purge job looks for recordings whose retention ran out.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most recordings one query of the purge job takes; a run takes further batches while they are full.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Policies in order; the first that matches a recording decides how long it is kept.</summary>
    public IList<RetentionPolicy> Policies { get; } = [];

    /// <summary>The first policy that matches the recording, or null for the default.</summary>
    public RetentionPolicy? PolicyFor(string accountSid, string? source, IReadOnlyCollection<string> tags) =>
        Policies.FirstOrDefault(p => p.Matches(accountSid, source, tags));
}

/// <summary>
/// One retention policy: a recording matches when every criterion the policy sets holds (its tenant, Twilio's
/// <c>RecordingSource</c>, a tag set through the API); a policy sets at least one.
/// </summary>
public sealed class RetentionPolicy
{
    public string Name { get; set; } = "";

    /// <summary>The tenant: the Twilio account or subaccount the recording belongs to.</summary>
    public string? AccountSid { get; set; }

    /// <summary>Twilio's <c>RecordingSource</c>, e.g. <c>RecordVerb</c> for voicemail or <c>OutboundAPI</c> for a recorded PlaceCall.</summary>
    public string? Source { get; set; }

    /// <summary>A tag the recording carries (<c>PUT /api/recordings/{sid}/tags</c>).</summary>
    public string? Tag { get; set; }

    /// <summary>How long a matching recording is kept after it was archived; null (absent) keeps it forever.</summary>
    public TimeSpan? KeepFor { get; set; }

    public bool Matches(string accountSid, string? source, IReadOnlyCollection<string> tags) =>
        (AccountSid is null || string.Equals(AccountSid, accountSid, StringComparison.Ordinal))
        && (Source is null || string.Equals(Source, source, StringComparison.Ordinal))
        && (Tag is null || tags.Contains(Tag, StringComparer.Ordinal));
}

/// <summary>Checks the policies at start-up: a bad one stops the service instead of keeping or deleting the wrong recordings.</summary>
internal sealed class RetentionOptionsValidator : IValidateOptions<RetentionOptions>
{
    /// <summary>Twilio's <c>RecordingSource</c> values (REFERENCE §4.1).</summary>
    private static readonly string[] Sources =
        ["DialVerb", "Conference", "OutboundAPI", "Trunking", "RecordVerb", "StartCallRecordingAPI", "StartConferenceRecordingAPI", "StartCallRecordingTwiML"];

    public ValidateOptionsResult Validate(string? name, RetentionOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Policies.Count; i++)
        {
            var policy = options.Policies[i];
            var at = $"{RetentionOptions.Section}:Policies:{i}";
            if (!RecordingTags.IsValid(policy.Name) || policy.Name == RetentionOptions.DefaultPolicy)
            {
                failures.Add($"{at}:Name '{policy.Name}' must be 1-64 lower-case letters, digits, '.', '_' or '-', and not '{RetentionOptions.DefaultPolicy}'.");
            }
            else if (!names.Add(policy.Name))
            {
                failures.Add($"{at}:Name '{policy.Name}' is used by an earlier policy.");
            }

            if (policy.AccountSid is null && policy.Source is null && policy.Tag is null)
            {
                failures.Add($"{at} sets no AccountSid, Source or Tag; it would match every recording (use {RetentionOptions.Section}:KeepFor).");
            }

            if (policy.AccountSid is not null && !RecordingSids.IsValidAccount(policy.AccountSid))
            {
                failures.Add($"{at}:AccountSid: {RecordingSids.AccountDescription}");
            }

            if (policy.Source is not null && !Sources.Contains(policy.Source, StringComparer.Ordinal))
            {
                failures.Add($"{at}:Source '{policy.Source}' is not a Twilio RecordingSource ({string.Join(", ", Sources)}).");
            }

            if (policy.Tag is not null && !RecordingTags.IsValid(policy.Tag))
            {
                failures.Add($"{at}:Tag: {RecordingTags.Description}");
            }

            if (policy.KeepFor is { } keepFor && keepFor <= TimeSpan.Zero)
            {
                failures.Add($"{at}:KeepFor must be positive, or absent to keep matching recordings forever.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
