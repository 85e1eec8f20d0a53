using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using VoiceMesh.Calls.MachineDetection;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Placement;

/// <summary>A field of a PlaceCall and what is wrong with it.</summary>
public sealed record PlaceCallViolation(string Field, string Reason);

/// <summary>Checks a PlaceCall before anything is stored or dialled.</summary>
public sealed partial class PlaceCallValidator(IOptions<CallsOptions> options)
{
    private static readonly string[] MachineDetectionModes = ["Enable", "DetectMessageEnd"];

    public IReadOnlyList<PlaceCallViolation> Validate(PlaceCall command)
    {
        var violations = new List<PlaceCallViolation>();
        if (string.IsNullOrWhiteSpace(command.RequestId) || !RequestIdPattern().IsMatch(command.RequestId))
        {
            violations.Add(new(nameof(command.RequestId), "RequestId is required: 1 to 100 letters, digits, '.', '_', ':' or '-'."));
        }

        if (!IsE164(command.To))
        {
            violations.Add(new(nameof(command.To), "To must be an E.164 number such as +14155550100."));
        }

        if (command.From is null ? options.Value.DefaultFrom is null : !IsE164(command.From))
        {
            violations.Add(new(nameof(command.From), command.From is null
                ? "From is required: no caller id was given and Calls:DefaultFrom is not set."
                : "From must be an E.164 number such as +14155550100."));
        }

        var instructions = new[] { command.Twiml, command.Url, command.Flow }.Count(i => !string.IsNullOrWhiteSpace(i));
        if (instructions != 1)
        {
            violations.Add(new(nameof(command.Url), "Exactly one of Twiml, Url or Flow is required."));
        }
        else if (command.Url is not null && !(Uri.TryCreate(command.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            violations.Add(new(nameof(command.Url), "Url must be an absolute http(s) URL."));
        }
        else if (command.Flow is not null && !options.Value.Flows.ContainsKey(command.Flow))
        {
            violations.Add(new(nameof(command.Flow), $"Flow '{command.Flow}' is not a known call flow."));
        }
        else if (command.Twiml is { Length: > 4000 })
        {
            violations.Add(new(nameof(command.Twiml), "Twiml is at most 4000 characters."));
        }

        if (command.TimeoutSeconds is < 5 or > 600)
        {
            violations.Add(new(nameof(command.TimeoutSeconds), "TimeoutSeconds must be between 5 and 600."));
        }

        if (command.MachineDetection is not null && !MachineDetectionModes.Contains(command.MachineDetection, StringComparer.Ordinal))
        {
            violations.Add(new(nameof(command.MachineDetection), "MachineDetection must be Enable or DetectMessageEnd."));
        }

        if (command.AsyncAmd && command.MachineDetection is null)
        {
            violations.Add(new(nameof(command.AsyncAmd), "AsyncAmd needs MachineDetection."));
        }

        var hasAction = MachineActionWire.TryParse(command.OnMachine, out var onMachine);
        if (command.OnMachine is not null && !(hasAction && command.AsyncAmd))
        {
            violations.Add(new(nameof(command.OnMachine), "OnMachine must be continue, hangup or message, with MachineDetection and AsyncAmd."));
        }
        else if (hasAction && onMachine == MachineAction.Message && string.IsNullOrWhiteSpace(command.MachineMessageTwiml))
        {
            violations.Add(new(nameof(command.MachineMessageTwiml), "OnMachine=message needs MachineMessageTwiml."));
        }

        // PostgreSQL stores no U+0000 in text or jsonb: such a command could be accepted but never recorded.
        foreach (var (field, value) in FreeText(command))
        {
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                violations.Add(new(field, $"{field} must not contain the NUL character (U+0000)."));
            }
        }

        return violations;
    }

    private static IEnumerable<(string Field, string Value)> FreeText(PlaceCall command)
    {
        (string, string?)[] fields =
        [
            (nameof(command.Twiml), command.Twiml), (nameof(command.Url), command.Url), (nameof(command.Flow), command.Flow),
            (nameof(command.MachineMessageTwiml), command.MachineMessageTwiml), (nameof(command.Tenant), command.Tenant),
        ];
        foreach (var (field, value) in fields)
        {
            if (value is not null)
            {
                yield return (field, value);
            }
        }

        foreach (var (key, value) in command.Metadata ?? new Dictionary<string, string>())
        {
            yield return (nameof(command.Metadata), key + value);
        }
    }

    private static bool IsE164(string? number) => number is not null && E164Pattern().IsMatch(number);

    [GeneratedRegex(@"^\+[1-9]\d{1,14}$")]
    private static partial Regex E164Pattern();

    [GeneratedRegex(@"^[A-Za-z0-9._:\-]{1,100}$")]
    private static partial Regex RequestIdPattern();
}
