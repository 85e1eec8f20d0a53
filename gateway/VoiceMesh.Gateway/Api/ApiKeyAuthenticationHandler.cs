using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace VoiceMesh.Gateway.Api;

/// <summary>Authenticates <c>/api/*</c> callers by an <c>X-Api-Key</c> header matching one of <c>Gateway:ApiKeys</c>.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<GatewayOptions> gateway)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers[HeaderName] is not { Count: 1 } header || string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = Encoding.UTF8.GetBytes(header.ToString());
        var index = gateway.Value.ApiKeys
            .Select((key, i) => (key, i))
            .FirstOrDefault(k => k.key.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k.key), presented));
        if (index.key is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, $"api-key-{index.i}")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
