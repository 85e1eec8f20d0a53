using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceMesh.Calls.Flows;

/// <summary>How flows are read and written: camelCase, enums as camelCase strings, unknown fields refused.</summary>
public static class FlowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        AllowOutOfOrderMetadataProperties = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Reads a flow, or says where its JSON is wrong.</summary>
    public static (FlowDefinition? Flow, FlowViolation? Error) Parse(string json)
    {
        try
        {
            var flow = JsonSerializer.Deserialize<FlowDefinition>(json, Options);
            return flow is null ? (null, new FlowViolation(null, "$", "A flow is a JSON object.")) : (flow, null);
        }
        catch (JsonException ex)
        {
            return (null, new FlowViolation(StepOf(ex.Path), ex.Path ?? "$", ex.Message));
        }
    }

    public static string Write(FlowDefinition flow) => JsonSerializer.Serialize(flow, Options);

    /// <summary>The step a JSON path such as <c>$.steps.menu.options[0]</c> is inside, if any.</summary>
    private static string? StepOf(string? path)
    {
        const string prefix = "$.steps.";
        if (path is null || !path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = path[prefix.Length..];
        var end = rest.IndexOfAny(['.', '[']);
        return end < 0 ? rest : rest[..end];
    }
}

/// <summary>What is wrong with a flow: the step (when one is to blame), the field and why.</summary>
public sealed record FlowViolation(string? Step, string Field, string Reason);
