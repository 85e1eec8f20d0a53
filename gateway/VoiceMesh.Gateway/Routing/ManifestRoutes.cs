using VoiceMesh.Gateway.Api;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.ServiceDefaults.Hosting;
using Yarp.ReverseProxy.Configuration;

namespace VoiceMesh.Gateway.Routing;

/// <summary>
/// The gateway's YARP routes and clusters, built from the service manifest beside the gateway's binaries: each
/// service's API description (<see cref="ApiReference"/>), its <c>/api/*</c> prefixes behind the API key policy, its
/// TwiML paths (marked with <see cref="TwimlMetadata"/>) and WebSocket paths (validated by the Twilio middleware before
/// they are proxied), and a cluster at its default local address. They enter configuration below every other source,
/// so <c>ReverseProxy__Clusters__{name}__Destinations__primary__Address</c> points a service elsewhere.
/// </summary>
internal static class ManifestRoutes
{
    /// <summary>The route metadata that marks a TwiML route, which answers the fallback TwiML when Calls cannot.</summary>
    public const string TwimlMetadata = "VoiceMesh.Twiml";

    public static bool IsTwiml(RouteConfig route) => route.Metadata?.ContainsKey(TwimlMetadata) == true;

    public static IHostApplicationBuilder AddManifestRoutes(this IHostApplicationBuilder builder)
    {
        var path = Path.Combine(AppContext.BaseDirectory, ServiceManifest.FileName);
        var manifest = ServiceManifest.Load(path);
        builder.Services.AddSingleton(manifest);
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = Settings(manifest),
        });
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        return builder;
    }

    /// <summary>The <c>ReverseProxy</c> configuration keys the manifest stands for.</summary>
    public static Dictionary<string, string?> Settings(ServiceManifest manifest)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in manifest.Services)
        {
            settings[$"ReverseProxy:Clusters:{service.Name}:Destinations:primary:Address"] = $"http://127.0.0.1:{service.Port}/";
            var description = $"ReverseProxy:Routes:{service.Name}-openapi";
            settings[$"{description}:ClusterId"] = service.Name;
            settings[$"{description}:Match:Path"] = ApiReference.DescriptionPath(service.Name);
            settings[$"{description}:Match:Methods:0"] = HttpMethods.Get;
            settings[$"{description}:Transforms:0:PathSet"] = ApiDescription.RoutePattern.Replace("{documentName}", ApiDescription.DocumentName, StringComparison.Ordinal);
            for (var i = 0; i < service.Api.Count; i++)
            {
                var route = $"ReverseProxy:Routes:{service.Name}-api-{i}";
                settings[$"{route}:ClusterId"] = service.Name;
                settings[$"{route}:AuthorizationPolicy"] = ApiRegistration.Policy;
                settings[$"{route}:Match:Path"] = $"{service.Api[i].TrimEnd('/')}/{{**rest}}";
                settings[$"{route}:Transforms:0:RequestHeaderRemove"] = ApiKeyAuthenticationHandler.HeaderName;
            }

            for (var i = 0; i < service.Twiml.Count; i++)
            {
                var route = $"ReverseProxy:Routes:{service.Name}-twiml-{i}";
                settings[$"{route}:ClusterId"] = service.Name;
                settings[$"{route}:Match:Path"] = service.Twiml[i];
                settings[$"{route}:Match:Methods:0"] = HttpMethods.Post;
                settings[$"{route}:Metadata:{TwimlMetadata}"] = "true";
            }

            for (var i = 0; i < service.WebSocket.Count; i++)
            {
                var route = $"ReverseProxy:Routes:{service.Name}-websocket-{i}";
                settings[$"{route}:ClusterId"] = service.Name;
                settings[$"{route}:Match:Path"] = service.WebSocket[i];
                // GET also matches an HTTP/2 WebSocket's extended CONNECT; YARP refuses CONNECT as a route method.
                settings[$"{route}:Match:Methods:0"] = HttpMethods.Get;
            }
        }

        return settings;
    }
}
