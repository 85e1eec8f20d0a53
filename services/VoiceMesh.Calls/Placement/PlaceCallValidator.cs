using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using VoiceMesh.Calls.MachineDetection;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;

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

        if (!E164.IsDialable(command.To))
        {
            violations.Add(new(nameof(command.To), "To " + E164.Description));
        }

        if (command.CallerIdPool is not null)
        {
            if (command.From is not null)
            {
                violations.Add(new(nameof(command.CallerIdPool), "Give From or CallerIdPool, not both."));
            }
            else if (string.IsNullOrWhiteSpace(command.CallerIdPool) || command.CallerIdPool.Length > 64)
            {
                violations.Add(new(nameof(command.CallerIdPool), "CallerIdPool is a number pool's name, 1-64 characters."));
            }
        }
        else if (command.From is null ? options.Value.DefaultFrom is null : !E164.IsDialable(command.From))
        {
            violations.Add(new(nameof(command.From), command.From is null
                ? "From is required: no caller id or CallerIdPool was given and Calls:DefaultFrom is not set."
                : "From " + E164.Description));
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

        if (command.Campaign is not null && (string.IsNullOrWhiteSpace(command.Campaign) || command.Campaign.Length > 64))
        {
            violations.Add(new(nameof(command.Campaign), "Campaign is a campaign tag, 1-64 characters."));
        }

        // Whatever is accepted must be storable: PostgreSQL keeps no U+0000 or unpaired surrogate in text or jsonb.
        foreach (var (field, value, multiLine) in Text(command))
        {
            if (!(multiLine ? StorableText.IsMultiLine(value) : StorableText.IsSingleLine(value)))
            {
                violations.Add(new(field, $"{field} {(multiLine ? StorableText.MultiLineDescription : StorableText.SingleLineDescription)}"));
            }
        }

        return violations;
    }

    /// <summary>Every string of the command; TwiML may span lines, nothing else may.</summary>
    private static IEnumerable<(string Field, string Value, bool MultiLine)> Text(PlaceCall command)
    {
        (string, string?, bool)[] fields =
        [
            (nameof(command.RequestId), command.RequestId, false), (nameof(command.To), command.To, false),
            (nameof(command.From), command.From, false), (nameof(command.CallerIdPool), command.CallerIdPool, false),
            (nameof(command.Twiml), command.Twiml, true),
            (nameof(command.Url), command.Url, false), (nameof(command.Flow), command.Flow, false),
            (nameof(command.MachineDetection), command.MachineDetection, false), (nameof(command.OnMachine), command.OnMachine, false),
            (nameof(command.MachineMessageTwiml), command.MachineMessageTwiml, true), (nameof(command.Tenant), command.Tenant, false),
            (nameof(command.Campaign), command.Campaign, false),
        ];
        foreach (var (field, value, multiLine) in fields)
        {
            if (value is not null)
            {
                yield return (field, value, multiLine);
            }
        }

        foreach (var (key, value) in command.Metadata ?? new Dictionary<string, string>())
        {
            yield return (nameof(command.Metadata), key + value, false);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._:\-]{1,100}\z")]
    private static partial Regex RequestIdPattern();
}
