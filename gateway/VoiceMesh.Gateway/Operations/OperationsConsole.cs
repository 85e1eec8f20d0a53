using System.Net;
using System.Reflection;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Operations;

/// <summary>
/// The operations console at <see cref="Path"/>: one page (and its script and style sheet, embedded in the gateway)
/// for the people who run the mesh, showing calls with their lifecycles, conferences with participants, queues,
/// number-pool utilisation, recordings with their archive state and the broker's error queues with replay, each
/// linked to its trace. The page holds no data: it asks for an API key and reads everything from <c>/api/*</c> with
/// it, so the console shows exactly what that key may see, and replaying needs the admin scope as the API does.
/// </summary>
internal static class OperationsConsole
{
    public const string Path = "/console";

    /// <summary>Only the page's own script, style sheet and API (and its empty inline icon): no inline script, no other origin, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddOperationsConsole(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ConsoleOptions>();
        return builder;
    }

    public static WebApplication MapOperationsConsole(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        var page = Resource("console.html")
            .Replace("{{JAEGER_URL}}", WebUtility.HtmlEncode(options.JaegerUrl), StringComparison.Ordinal)
            .Replace("{{TRACE_SERVICE}}", WebUtility.HtmlEncode(app.Environment.ApplicationName), StringComparison.Ordinal);
        var script = Resource("console.js");
        var styles = Resource("console.css");

        var console = app.MapGroup(Path).ExcludeFromDescription();
        console.MapGet("", (HttpContext context) => Serve(context, page, "text/html; charset=utf-8"));
        console.MapGet("/console.js", (HttpContext context) => Serve(context, script, "text/javascript; charset=utf-8"));
        console.MapGet("/console.css", (HttpContext context) => Serve(context, styles, "text/css; charset=utf-8"));
        return app;
    }

    private static IResult Serve(HttpContext context, string content, string contentType)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Text(content, contentType);
    }

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"{typeof(OperationsConsole).Namespace}.{name}")
            ?? throw new InvalidOperationException($"The console's {name} is not embedded in the gateway.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
