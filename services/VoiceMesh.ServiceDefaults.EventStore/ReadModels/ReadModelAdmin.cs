using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceMesh.ServiceDefaults.ReadModels;

/// <summary>
/// The operator's read-model endpoints, which every service with an event store serves on its own port (never routed
/// by the gateway, whose routes are the manifest's <c>/api</c> prefixes):
/// <c>GET /admin/read-models</c> lists them, <c>POST /admin/read-models/rebuild[?projection=NAME]</c> rebuilds them
/// online, <c>GET /admin/read-models/verify[?projection=NAME]</c> compares each document with its stream aggregated live.
/// Each request needs <c>X-Api-Key</c> with one of the keys the gateway accepts on <c>/api</c> (<c>Gateway:ApiKeys</c>,
/// plain or <c>sha256:</c> hashes, which <c>./voicemesh up</c> gives every process); a service configured with none
/// refuses every request (403).
/// </summary>
internal sealed class ReadModelAdmin : IStartupFilter
{
    public const string Path = "/admin/read-models";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Map(Path, admin => admin.Run(Handle));
        next(app);
    };

    private static async Task Handle(HttpContext context)
    {
        var services = context.RequestServices;
        var keys = services.GetRequiredService<IConfiguration>().GetSection("Gateway:ApiKeys").Get<string[]>() ?? [];
        if (keys.Length == 0)
        {
            await Problem(context, StatusCodes.Status403Forbidden, "No API key is configured (Gateway__ApiKeys__0): the admin endpoints are off.");
            return;
        }

        if (context.Request.Headers["X-Api-Key"] is not { Count: 1 } given || !keys.Any(key => ApiKeyHash.Matches(key, given.ToString())))
        {
            await Problem(context, StatusCodes.Status401Unauthorized, "X-Api-Key is missing or not one of the configured API keys.");
            return;
        }

        var rebuilder = services.GetRequiredService<ReadModelRebuilder>();
        var name = context.Request.Query["projection"].FirstOrDefault();
        var selected = rebuilder.Select(name);
        var action = (context.Request.Method, context.Request.Path.Value?.TrimEnd('/') ?? "");
        switch (action)
        {
            case ("GET", ""):
                await context.Response.WriteAsJsonAsync(new
                {
                    readModels = rebuilder.ReadModels.Select(m => new { name = m.Name, table = m.Table, events = m.EventTypeNames }),
                });
                return;
            case ("POST", "/rebuild") or ("GET", "/verify") when selected.Count == 0:
                await Problem(context, StatusCodes.Status404NotFound,
                    $"No read model named '{name}'; this service has: {string.Join(", ", rebuilder.ReadModels.Select(m => m.Name))}.");
                return;
            case ("POST", "/rebuild"):
                await context.Response.WriteAsJsonAsync(new { readModels = await rebuilder.Rebuild(selected, fromEmpty: false, context.RequestAborted) });
                return;
            case ("GET", "/verify"):
                await context.Response.WriteAsJsonAsync(new { readModels = await rebuilder.Verify(selected, context.RequestAborted) });
                return;
            default:
                await Problem(context, StatusCodes.Status404NotFound, $"{context.Request.Method} {Path}{action.Item2} is not an admin endpoint.");
                return;
        }
    }

    private static Task Problem(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { status, title = "Read-model admin", detail }, options: null, contentType: "application/problem+json");
    }
}
