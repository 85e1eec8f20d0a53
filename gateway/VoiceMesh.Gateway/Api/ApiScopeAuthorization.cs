using Microsoft.AspNetCore.Authorization;

namespace VoiceMesh.Gateway.Api;

/// <summary>The request's scope (<see cref="ApiScopes.Required"/>) must be one of the authenticated client's.</summary>
internal sealed class ApiScopeRequirement : IAuthorizationRequirement;

/// <summary>Decides <see cref="ApiScopeRequirement"/> from the request the <c>api</c> policy is evaluated for.</summary>
internal sealed class ApiScopeAuthorizationHandler : AuthorizationHandler<ApiScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiScopeRequirement requirement)
    {
        if (context.Resource is HttpContext http && context.User.HasClaim(ApiScopes.ClaimType, ApiScopes.Required(http.Request)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
