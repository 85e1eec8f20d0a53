using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Gateway.Api;

internal static class ApiRegistration
{
    /// <summary>
    /// The authorization policy every <c>/api/*</c> endpoint names (the manifest's YARP routes and the gateway's own):
    /// a known API key whose client has the request's scope.
    /// </summary>
    public const string Policy = "api";

    public static IHostApplicationBuilder AddApiAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ApiAccessOptions>();
        builder.Services.AddSingleton<ApiAccessOptionsSetup>();
        builder.Services.AddSingleton<IPostConfigureOptions<ApiAccessOptions>>(sp => sp.GetRequiredService<ApiAccessOptionsSetup>());
        builder.Services.AddSingleton<IValidateOptions<ApiAccessOptions>>(sp => sp.GetRequiredService<ApiAccessOptionsSetup>());
        builder.Services.AddSingleton<ApiClientRegistry>();

        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationHandler, ApiScopeAuthorizationHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .AddRequirements(new ApiScopeRequirement()));

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddSingleton<IConfigureOptions<RateLimiterOptions>, ApiRateLimiting>();
        return builder;
    }
}
