using Microsoft.AspNetCore.Authentication;

namespace VoiceMesh.Gateway.Api;

internal static class ApiRegistration
{
    /// <summary>The authorization policy YARP routes under <c>/api/*</c> name.</summary>
    public const string Policy = "api";

    public static IHostApplicationBuilder AddApiAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        return builder;
    }
}
