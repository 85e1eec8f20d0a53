using Scalar.AspNetCore;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.ServiceDefaults.Hosting;

namespace VoiceMesh.Gateway.Routing;

/// <summary>
/// The API reference for the people who call the gateway: each manifest service's OpenAPI description at
/// <c>/openapi/{service}.json</c> (proxied from the service's own <see cref="ApiDescription.RoutePattern"/>), the
/// gateway's own (<c>/api/admin</c>) at <c>/openapi/v1.json</c>, and a browsable reference of them all at
/// <see cref="Path"/> (Scalar, served from the gateway's own assets). Describing the API reveals nothing a caller of
/// it could not learn, so neither needs an API key; calling <c>/api/*</c> from the reference does.
/// </summary>
internal static class ApiReference
{
    public const string Path = "/docs";

    public static string DescriptionPath(string service) => $"/openapi/{service}.json";

    public static WebApplication MapApiReference(this WebApplication app)
    {
        var manifest = app.Services.GetRequiredService<ServiceManifest>();
        app.MapScalarApiReference(Path, options =>
        {
            options.WithTitle("VoiceMesh API");
            foreach (var service in manifest.Services)
            {
                options.AddDocument(service.Name, service.Name, DescriptionPath(service.Name), isDefault: service == manifest.Services.First());
            }

            options.AddDocument(ApiDescription.DocumentName, "gateway (admin)", ApiDescription.RoutePattern);
        });
        return app;
    }
}
