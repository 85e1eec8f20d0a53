using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// Every process describes its HTTP API with ASP.NET Core's OpenAPI generation at <see cref="RoutePattern"/>; the
/// gateway serves each service's description and a browsable reference of them all. The description is written for
/// callers of the gateway: its one server is the gateway itself (a relative URL), and <c>/api/*</c> takes the
/// <c>X-Api-Key</c> header.
/// </summary>
public static class ApiDescription
{
    /// <summary>Where a process serves its description: document <see cref="DocumentName"/>.</summary>
    public const string RoutePattern = "/openapi/{documentName}.json";

    public const string DocumentName = "v1";

    /// <summary>The security scheme of <c>/api/*</c>: the gateway's API key header.</summary>
    public const string ApiKeyScheme = "ApiKey";

    public static IServiceCollection AddApiDescription(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers = [new OpenApiServer { Url = "/" }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [ApiKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "X-Api-Key",
                    Description = "An API key of the gateway (Gateway__ApiKeys__*, Gateway__ApiClients__*).",
                },
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] }];
            return Task.CompletedTask;
        }));
}
