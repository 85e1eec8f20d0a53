using Microsoft.AspNetCore.Http.HttpResults;

namespace VoiceMesh.Calls.Costs;

internal static class CostEndpoints
{
    public static RouteGroupBuilder MapCostEndpoints(this RouteGroupBuilder calls)
    {
        calls.MapGet("/costs", GetCosts);
        return calls;
    }

    private static async Task<Results<Ok<CostRollupResponse>, ValidationProblem>> GetCosts(
        string? groupBy, string? from, string? to, CostRollups rollups, CancellationToken cancellationToken)
    {
        var (query, violation) = CostRollupQuery.Parse(groupBy, from, to);
        if (query is null)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [violation!.Field] = [violation.Reason] }, title: "Invalid cost query");
        }

        return TypedResults.Ok(new CostRollupResponse(groupBy!, query.From, query.To, await rollups.Query(query, cancellationToken)));
    }
}
