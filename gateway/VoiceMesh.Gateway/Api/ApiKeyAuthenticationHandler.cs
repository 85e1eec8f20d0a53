using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Gateway.Api;

/// <summary>
/// Authenticates <c>/api/*</c> callers by the one <c>X-Api-Key</c> header, whose SHA-256 must be a configured
/// client's (<see cref="ApiClientRegistry"/>). The principal carries the client's name and scopes, never the key;
/// a missing or unknown key is answered 401 and a key without the request's scope 403, both problem+json.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiClientRegistry clients)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>Longer than any key worth issuing; a longer header is refused before it is hashed.</summary>
    public const int MaxKeyLength = 256;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Headers[HeaderName];
        var result = values.Count switch
        {
            0 => AuthenticateResult.NoResult(),
            > 1 => AuthenticateResult.Fail($"{HeaderName} was sent more than once."),
            _ when string.IsNullOrEmpty(values[0]) || values[0]!.Length > MaxKeyLength =>
                AuthenticateResult.Fail($"{HeaderName} is empty or longer than {MaxKeyLength} characters."),
            _ when clients.Find(values[0]!) is { } client => AuthenticateResult.Success(Ticket(client)),
            _ => AuthenticateResult.Fail("Unknown API key."),
        };
        return Task.FromResult(result);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return ApiProblem.Write(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            $"Send one {HeaderName} header with a key the gateway knows.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblem.Write(Context, StatusCodes.Status403Forbidden, "Forbidden",
            $"This API key lacks the '{ApiScopes.Required(Request)}' scope that {Request.Method} {Request.Path} needs.");

    private static AuthenticationTicket Ticket(ApiClient client)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, client.Name), .. client.Scopes.Select(scope => new Claim(ApiScopes.ClaimType, scope))],
            SchemeName);
        return new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName);
    }
}
