using VoiceMesh.ServiceDefaults;
using Yarp.ReverseProxy.Transforms.Builder;

namespace VoiceMesh.Gateway.Fallback;

internal static class FallbackRegistration
{
    public static IHostApplicationBuilder AddTwimlFallback(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<TwimlFallbackOptions>();
        builder.Services.AddSingleton<FallbackTwiml>();
        builder.Services.AddSingleton<FallbackMetrics>();
        builder.Services.AddSingleton<ITransformProvider, TwimlServerErrors>();
        return builder;
    }

    /// <summary>
    /// <c>POST /twilio/voice/fallback</c>, and the reverse proxy with <see cref="TwimlFallbackMiddleware"/> before
    /// YARP's default steps (session affinity, load balancing, passive health checks).
    /// </summary>
    public static IEndpointRouteBuilder MapReverseProxyWithTwimlFallback(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(FallbackTwiml.Path, FallbackEndpoint.Answer);
        endpoints.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<TwimlFallbackMiddleware>();
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return endpoints;
    }
}
