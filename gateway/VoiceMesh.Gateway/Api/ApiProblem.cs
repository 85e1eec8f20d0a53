namespace VoiceMesh.Gateway.Api;

/// <summary>The <c>application/problem+json</c> answers of <c>/api/*</c> refusals (401, 403, 429).</summary>
internal static class ApiProblem
{
    public static Task Write(HttpContext context, int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
