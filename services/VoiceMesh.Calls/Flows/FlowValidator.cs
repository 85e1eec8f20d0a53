using System.Text.RegularExpressions;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Flows;

/// <summary>
/// Checks a flow before it is saved: step names that fit in a URL, fields within Twilio's limits, every step it
/// refers to present, and no loop a caller could go round without pressing, saying or recording anything.
/// </summary>
public static partial class FlowValidator
{
    public const int MaxSteps = 200;

    public static IReadOnlyList<FlowViolation> Validate(FlowDefinition flow)
    {
        List<FlowViolation> violations = [];
        if (flow.Steps.Count == 0)
        {
            violations.Add(new FlowViolation(null, "steps", "A flow needs at least one step."));
            return violations;
        }

        if (flow.Steps.Count > MaxSteps)
        {
            violations.Add(new FlowViolation(null, "steps", $"A flow has at most {MaxSteps} steps."));
        }

        if (!flow.Steps.ContainsKey(flow.Start))
        {
            violations.Add(new FlowViolation(flow.Start, "start", $"The start step '{flow.Start}' does not exist."));
        }

        foreach (var (name, step) in flow.Steps)
        {
            if (!StepName().IsMatch(name))
            {
                violations.Add(new FlowViolation(name, "steps", $"Step name '{name}' must be 1-64 letters, digits, '-' or '_'."));
            }

            foreach (var (field, target) in step.Exits())
            {
                if (target is not null && !flow.Steps.ContainsKey(target))
                {
                    violations.Add(new FlowViolation(name, field, $"Step '{name}' refers to a missing step '{target}' ({field})."));
                }
            }

            violations.AddRange(Fields(name, step));
        }

        if (violations.Count == 0 && FindLoop(flow) is { } loop)
        {
            violations.Add(new FlowViolation(loop[0], "next",
                $"Steps {string.Join(" -> ", loop)} loop without waiting for caller input."));
        }

        return violations;
    }

    private static IEnumerable<FlowViolation> Fields(string name, FlowStep step)
    {
        FlowViolation V(string field, string reason) => new(name, field, $"Step '{name}': {reason}");
        switch (step)
        {
            case SayStep say when string.IsNullOrWhiteSpace(say.Text) || say.Text.Length > 4000:
                yield return V("text", "text must be 1-4000 characters.");
                break;
            case PlayStep play:
                if (!IsHttpUrl(play.Url))
                {
                    yield return V("url", "url must be an absolute http(s) URL.");
                }

                if (play.Loop is < 0 or > 100)
                {
                    yield return V("loop", "loop must be 0-100.");
                }

                break;
            case PauseStep { Seconds: < 1 or > 600 }:
                yield return V("seconds", "seconds must be 1-600.");
                break;
            case MenuStep menu:
                foreach (var violation in Menu(menu, V))
                {
                    yield return violation;
                }

                break;
            case QueueStep queue:
                if (string.IsNullOrWhiteSpace(queue.Queue) || queue.Queue.Length > 64)
                {
                    yield return V("queue", "queue must be 1-64 characters.");
                }

                if (queue.MaxWaitSeconds is < 1 or > 86_400)
                {
                    yield return V("maxWaitSeconds", "maxWaitSeconds must be 1-86400.");
                }

                if (queue.WaitMusicUrl is not null && !IsHttpUrl(queue.WaitMusicUrl))
                {
                    yield return V("waitMusicUrl", "waitMusicUrl must be an absolute http(s) URL.");
                }

                break;
            case ForwardStep forward:
                if (!IsDialTarget(forward.To))
                {
                    yield return V("to", "to must be an E.164 number, a sip: URI or client:identity.");
                }

                if (forward.CallerId is not null && !E164.IsDialable(forward.CallerId))
                {
                    yield return V("callerId", "callerId must be an E.164 number.");
                }

                if (forward.TimeoutSeconds is < 5 or > 600)
                {
                    yield return V("timeoutSeconds", "timeoutSeconds must be 5-600.");
                }

                break;
            case ConferenceStep conference:
                if (string.IsNullOrWhiteSpace(conference.Room) || conference.Room.Length > 128)
                {
                    yield return V("room", "room must be 1-128 characters.");
                }

                if (conference.MaxParticipants is < 2 or > 250)
                {
                    yield return V("maxParticipants", "maxParticipants must be 2-250.");
                }

                break;
            case VoicemailStep voicemail:
                if (voicemail.MaxLengthSeconds is < 2 or > 14_400)
                {
                    yield return V("maxLengthSeconds", "maxLengthSeconds must be 2-14400.");
                }

                if (!Keys().IsMatch(voicemail.FinishOnKey))
                {
                    yield return V("finishOnKey", "finishOnKey must be keys from 0-9, * and #.");
                }

                break;
            case BusinessHoursStep hours:
                foreach (var violation in Hours(hours, V))
                {
                    yield return violation;
                }

                break;
        }
    }

    private static IEnumerable<FlowViolation> Menu(MenuStep menu, Func<string, string, FlowViolation> v)
    {
        if (string.IsNullOrWhiteSpace(menu.Prompt))
        {
            yield return v("prompt", "prompt must not be empty.");
        }

        if (menu.Input.Count == 0)
        {
            yield return v("input", "input must list dtmf and/or speech.");
        }

        if (menu.Options.Count == 0)
        {
            yield return v("options", "a menu needs at least one option.");
        }

        for (var i = 0; i < menu.Options.Count; i++)
        {
            var option = menu.Options[i];
            if (option.Digits is null && option.Speech.Count == 0)
            {
                yield return v($"options[{i}]", "an option needs digits or speech.");
            }

            if (option.Digits is not null && !Keys().IsMatch(option.Digits))
            {
                yield return v($"options[{i}].digits", "digits must be keys from 0-9, * and #.");
            }

            if (option.Digits is not null && !menu.Input.Contains(MenuInput.Dtmf))
            {
                yield return v($"options[{i}].digits", "digits need dtmf in input.");
            }

            if (option.Speech.Count > 0 && !menu.Input.Contains(MenuInput.Speech))
            {
                yield return v($"options[{i}].speech", "speech needs speech in input.");
            }
        }

        if (menu.Options.Where(o => o.Digits is not null).GroupBy(o => o.Digits).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            yield return v("options", $"digits {twice.Key} pick more than one option.");
        }

        if (menu.TimeoutSeconds is < 1 or > 60)
        {
            yield return v("timeoutSeconds", "timeoutSeconds must be 1-60.");
        }

        if (menu.NumDigits is < 1 or > 20)
        {
            yield return v("numDigits", "numDigits must be 1-20.");
        }

        if (menu.Retries is < 0 or > 10)
        {
            yield return v("retries", "retries must be 0-10.");
        }

        if (menu.MinConfidence is < 0 or > 1)
        {
            yield return v("minConfidence", "minConfidence must be 0-1.");
        }
    }

    private static IEnumerable<FlowViolation> Hours(BusinessHoursStep hours, Func<string, string, FlowViolation> v)
    {
        if (!System.TimeZoneInfo.TryFindSystemTimeZoneById(hours.TimeZone, out _))
        {
            yield return v("timeZone", $"'{hours.TimeZone}' is not a known IANA time zone.");
        }

        foreach (var (day, windows) in hours.Weekly)
        {
            if (windows.FirstOrDefault(w => w.Close <= w.Open) is { } wrong)
            {
                yield return v($"weekly.{day.ToString().ToLowerInvariant()}", $"window {wrong.Open:HH\\:mm}-{wrong.Close:HH\\:mm} closes before it opens.");
            }
        }
    }

    /// <summary>A cycle through steps that take no input, as the step names along it (the first repeated at the end).</summary>
    private static List<string>? FindLoop(FlowDefinition flow)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();

        List<string>? Visit(string name)
        {
            state[name] = 1;
            path.Add(name);
            foreach (var (_, next) in flow.Steps[name].Exits())
            {
                if (next is null || flow.Steps[next].TakesInput)
                {
                    continue;
                }

                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } loop)
                {
                    return loop;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[name] = 2;
            return null;
        }

        foreach (var (name, step) in flow.Steps)
        {
            if (!step.TakesInput && state.GetValueOrDefault(name) == 0 && Visit(name) is { } loop)
            {
                return loop;
            }
        }

        return null;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    internal static bool IsDialTarget(string value) =>
        E164.IsDialable(value) || SipUri().IsMatch(value) || ClientIdentity().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex StepName();

    [GeneratedRegex(@"^sip:[^\s\p{Cc}<>""]{3,250}\z")]
    private static partial Regex SipUri();

    [GeneratedRegex(@"^client:[A-Za-z0-9_]{1,256}\z")]
    private static partial Regex ClientIdentity();

    [GeneratedRegex(@"^[0-9*#]{1,12}\z")]
    private static partial Regex Keys();
}
