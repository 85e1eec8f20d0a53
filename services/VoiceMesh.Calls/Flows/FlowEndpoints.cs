using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Flows;

/// <summary>A flow version as <c>/api/flows</c> shows it; <see cref="Definition"/> is the flow's JSON.</summary>
public sealed record FlowResponse(string FlowId, int Version, DateTimeOffset SavedAt, string Source, JsonElement Definition, IReadOnlyList<string> Numbers);

public sealed record FlowSummary(string FlowId, int Version, DateTimeOffset SavedAt);

public sealed record FlowSaved(string FlowId, int Version);

internal static class FlowEndpoints
{
    private const int MaxFlowBytes = 256 * 1024;

    /// <summary><c>/api/flows</c>: list, read (latest or one version), save a new version, delete, and number assignment.</summary>
    public static RouteGroupBuilder MapFlowEndpoints(this RouteGroupBuilder flows)
    {
        flows.MapGet("/", async (FlowStore store, CancellationToken ct) =>
            TypedResults.Ok((await store.Heads(ct)).Select(h => new FlowSummary(h.Id, h.LatestVersion, h.SavedAt)).ToList()));
        flows.MapGet("/{flowId}", GetLatest).WithName("GetFlow");
        flows.MapGet("/{flowId}/versions/{version:int}", GetVersion);
        flows.MapPut("/{flowId}", Save);
        flows.MapDelete("/{flowId}", async Task<Results<NoContent, ProblemHttpResult>> (string flowId, FlowStore store, CancellationToken ct) =>
            await store.Delete(flowId, ct) ? TypedResults.NoContent() : NotFound(flowId));
        flows.MapPut("/{flowId}/numbers/{phoneNumber}", Assign);
        flows.MapDelete("/{flowId}/numbers/{phoneNumber}", async Task<Results<NoContent, ProblemHttpResult>> (string flowId, string phoneNumber, FlowStore store, CancellationToken ct) =>
            await store.Unassign(phoneNumber, flowId, ct)
                ? TypedResults.NoContent()
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Number not assigned", detail: $"{phoneNumber} is not assigned to flow {flowId}."));
        return flows;
    }

    private static async Task<Results<Ok<FlowResponse>, ProblemHttpResult>> GetLatest(string flowId, FlowStore store, CancellationToken ct)
    {
        var head = await store.Head(flowId, ct);
        return head is null || head.Deleted ? NotFound(flowId) : await Version(flowId, head.LatestVersion, store, ct);
    }

    private static Task<Results<Ok<FlowResponse>, ProblemHttpResult>> GetVersion(string flowId, int version, FlowStore store, CancellationToken ct) =>
        Version(flowId, version, store, ct);

    private static async Task<Results<Ok<FlowResponse>, ProblemHttpResult>> Version(string flowId, int version, FlowStore store, CancellationToken ct)
    {
        var stored = await store.Stored(flowId, version, ct);
        if (stored is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Flow version not found", detail: $"Flow {flowId} has no version {version}.");
        }

        using var definition = JsonDocument.Parse(stored.Json);
        return TypedResults.Ok(new FlowResponse(flowId, version, stored.SavedAt, stored.Source, definition.RootElement.Clone(), await store.Numbers(flowId, ct)));
    }

    private static async Task<Results<Created<FlowSaved>, Ok<FlowSaved>, ValidationProblem, ProblemHttpResult>> Save(
        string flowId, HttpRequest request, FlowStore store, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "A flow is sent as application/json.");
        }

        var bytes = await request.ReadBounded(MaxFlowBytes, ct);
        if (bytes is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Flow too large", detail: $"A flow is at most {MaxFlowBytes} bytes.");
        }

        var violations = FlowSaving.Check(flowId, Encoding.UTF8.GetString(bytes), out var flow);
        if (violations.Count > 0)
        {
            return Invalid(violations);
        }

        var saved = await store.Save(flowId, flow!, "api", ct);
        if (saved is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Flow changed", detail: $"Another version of flow {flowId} was saved at the same time; send it again.");
        }

        var result = new FlowSaved(flowId, saved.Version);
        return saved.Version == 1 ? TypedResults.Created($"/api/flows/{flowId}", result) : TypedResults.Ok(result);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Assign(
        string flowId, string phoneNumber, FlowStore store, CancellationToken ct)
    {
        if (!E164.IsDialable(phoneNumber))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["phoneNumber"] = [$"'{phoneNumber}' is not an E.164 number."] });
        }

        var head = await store.Head(flowId, ct);
        if (head is null || head.Deleted)
        {
            return NotFound(flowId);
        }

        await store.Assign(phoneNumber, flowId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>400 naming the first bad step in the detail and every violation by <c>step.field</c>.</summary>
    private static ValidationProblem Invalid(IReadOnlyList<FlowViolation> violations) =>
        TypedResults.ValidationProblem(
            violations.GroupBy(v => v.Step is null ? v.Field : $"{v.Step}.{v.Field}").ToDictionary(g => g.Key, g => g.Select(v => v.Reason).ToArray()),
            detail: violations[0].Reason,
            title: "Invalid flow",
            extensions: violations[0].Step is { } step ? new Dictionary<string, object?> { ["step"] = step } : null);

    private static ProblemHttpResult NotFound(string flowId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Flow not found", detail: $"No flow {flowId} is known.");
}
