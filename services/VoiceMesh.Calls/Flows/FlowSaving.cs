using System.Text.RegularExpressions;

namespace VoiceMesh.Calls.Flows;

/// <summary>What a flow must pass to be saved, from the API or from a file: a usable id, readable JSON, a valid graph.</summary>
public static partial class FlowSaving
{
    public static IReadOnlyList<FlowViolation> Check(string flowId, string json, out FlowDefinition? flow)
    {
        flow = null;
        if (!FlowId().IsMatch(flowId))
        {
            return [new FlowViolation(null, "flowId", $"Flow id '{flowId}' must be 1-64 letters, digits, '-' or '_'.")];
        }

        var (parsed, error) = FlowJson.Parse(json);
        if (error is not null)
        {
            return [error];
        }

        var violations = FlowValidator.Validate(parsed!);
        flow = violations.Count == 0 ? parsed : null;
        return violations;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z")]
    private static partial Regex FlowId();
}
