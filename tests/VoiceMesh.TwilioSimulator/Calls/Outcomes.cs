using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace VoiceMesh.TwilioSimulator.Calls;

[JsonConverter(typeof(JsonStringEnumConverter<CallOutcomeKind>))]
public enum CallOutcomeKind
{
    [JsonStringEnumMemberName("human")]
    Human,

    [JsonStringEnumMemberName("machine")]
    Machine,

    [JsonStringEnumMemberName("busy")]
    Busy,

    [JsonStringEnumMemberName("no-answer")]
    NoAnswer,

    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>
/// What happens to calls to numbers that match <see cref="Match"/>: an exact number (<c>+15551230000</c>), a prefix
/// ending in <c>*</c> (<c>+1555*</c>) or a regular expression starting with <c>^</c>. An exact match wins over the
/// longest prefix, which wins over the first matching expression.
/// </summary>
public sealed record OutcomeRule
{
    public required string Match { get; init; }

    public required CallOutcomeKind Outcome { get; init; }

    /// <summary>AMD result for <see cref="CallOutcomeKind.Machine"/> (default <c>machine_start</c>, or
    /// <c>machine_end_beep</c> with <c>DetectMessageEnd</c>); <c>human</c> otherwise.</summary>
    public string? AnsweredBy { get; init; }

    /// <summary>SIP code on the terminal callback; defaults: failed 503, busy 486, no-answer 487, answered 200.</summary>
    public int? SipResponseCode { get; init; }

    /// <summary>Seconds from answer to hang-up (overrides <see cref="Hosting.SimulatorOptions.TalkDuration"/>).</summary>
    public double? TalkSeconds { get; init; }

    /// <summary>Seconds of ringing before the answer or busy (overrides <see cref="Hosting.SimulatorOptions.AnswerDelay"/>).</summary>
    public double? RingSeconds { get; init; }

    internal bool IsExact => !Match.EndsWith('*') && !Match.StartsWith('^');

    internal bool IsPrefix => Match.EndsWith('*');
}

/// <summary>The scripted outcomes; thread-safe.</summary>
internal sealed class OutcomeScript
{
    private static readonly OutcomeRule Default = new() { Match = "*", Outcome = CallOutcomeKind.Human };

    private readonly Lock _gate = new();
    private readonly List<OutcomeRule> _rules = [];

    public void Add(OutcomeRule rule)
    {
        if (rule.Match.StartsWith('^'))
        {
            _ = new Regex(rule.Match, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }

        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    public IReadOnlyList<OutcomeRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules];
            }
        }
    }

    public OutcomeRule For(string to)
    {
        var rules = Rules;
        return rules.LastOrDefault(r => r.IsExact && string.Equals(r.Match, to, StringComparison.Ordinal))
            ?? rules.Where(r => r.IsPrefix && to.StartsWith(r.Match[..^1], StringComparison.Ordinal))
                .OrderByDescending(r => r.Match.Length).FirstOrDefault()
            ?? rules.FirstOrDefault(r => r.Match.StartsWith('^')
                && Regex.IsMatch(to, r.Match, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            ?? Default;
    }
}
