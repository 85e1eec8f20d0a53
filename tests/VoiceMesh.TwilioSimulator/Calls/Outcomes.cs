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

/// <summary>
/// How often calls placed from the caller id <see cref="From"/> (an exact E.164 number) are answered: of its first n
/// calls, floor(n x <see cref="AnswerRate"/>) are, spread evenly (the k-th is answered when floor(k x rate) grows), so a
/// test gets the same rate every run. An answered call follows the outcome script of its <c>To</c>; an unanswered one
/// ends with <see cref="Unanswered"/>. Models carriers labelling a caller id as spam.
/// </summary>
public sealed record CallerAnswerRate
{
    public required string From { get; init; }

    public required double AnswerRate { get; init; }

    /// <summary>How an unanswered call ends: no-answer (default), busy or failed.</summary>
    public CallOutcomeKind Unanswered { get; init; } = CallOutcomeKind.NoAnswer;
}

/// <summary>The scripted outcomes; thread-safe.</summary>
internal sealed class OutcomeScript
{
    private static readonly OutcomeRule Default = new() { Match = "*", Outcome = CallOutcomeKind.Human };

    private readonly Lock _gate = new();
    private readonly List<OutcomeRule> _rules = [];
    private readonly Dictionary<string, (CallerAnswerRate Rate, int Calls)> _callers = new(StringComparer.Ordinal);

    public void SetAnswerRate(CallerAnswerRate rate)
    {
        if (rate.AnswerRate is < 0 or > 1 || double.IsNaN(rate.AnswerRate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate.AnswerRate, "AnswerRate is between 0 and 1.");
        }

        if (rate.Unanswered is CallOutcomeKind.Human or CallOutcomeKind.Machine)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate.Unanswered, "Unanswered is no-answer, busy or failed.");
        }

        lock (_gate)
        {
            _callers[rate.From] = (rate, 0);
        }
    }

    public IReadOnlyList<CallerAnswerRate> AnswerRates
    {
        get
        {
            lock (_gate)
            {
                return [.. _callers.Values.Select(c => c.Rate)];
            }
        }
    }

    /// <summary>The outcome of a new call from <paramref name="from"/> to <paramref name="to"/>: the caller's answer rate first.</summary>
    public OutcomeRule For(string to, string from)
    {
        lock (_gate)
        {
            if (_callers.TryGetValue(from, out var caller))
            {
                var calls = caller.Calls + 1;
                _callers[from] = (caller.Rate, calls);
                if (Math.Floor(calls * caller.Rate.AnswerRate) == Math.Floor((calls - 1) * caller.Rate.AnswerRate))
                {
                    return new OutcomeRule { Match = from, Outcome = caller.Rate.Unanswered };
                }
            }
        }

        return For(to);
    }

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
            _callers.Clear();
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
