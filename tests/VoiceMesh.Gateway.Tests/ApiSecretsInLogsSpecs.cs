using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using VoiceMesh.Gateway.Api;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>
/// The gateway's whole log output, every category at Trace, while API keys and Twilio tokens are used, refused and
/// forged: no secret, configured or presented, appears in it.
/// </summary>
public sealed class ApiSecretsInLogsSpecs
{
    private const string SecondaryAuthToken = "secondary-auth-token-4f3e2d1c";
    private const string HashedClientKey = "vm_logs_client_7e6d5c4b3a29";
    private const string GuessedKey = "vm_guessed_key_0123456789ab";
    private const string ForgedToken = "forged-auth-token-a1b2c3d4";

    [Fact]
    public async Task No_api_key_or_twilio_token_appears_in_the_log_output()
    {
        await using var backend = await EchoBackend.Start();
        await using var app = new GatewayApplication()
            .With("Logging:LogLevel:Default", "Trace")
            .With("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .With("Logging:LogLevel:Yarp", "Trace")
            .With("Twilio:SecondaryAuthToken", SecondaryAuthToken)
            .With("ReverseProxy:Clusters:calls:Destinations:primary:Address", backend.Url)
            .With("Gateway:ApiClients:reader:KeySha256", Convert.ToHexStringLower(ApiKeyHash.Of(HashedClientKey)))
            .With("Gateway:ApiClients:reader:Scopes:0", "read")
            .With("Gateway:ApiClients:reader:PermitsPerSecond", "1")
            .With("Gateway:ApiClients:reader:Burst", "1")
            .WithServices(services => services.AddFakeLogging());
        using var client = app.CreateClient();
        await app.Harness.Start();
        var cancellation = TestContext.Current.CancellationToken;
        const string path = "/api/calls/CA0123456789abcdef0123456789abcdef";

        var statuses = new List<HttpStatusCode>();
        foreach (var key in new[] { GatewayApplication.ApiKey, HashedClientKey, HashedClientKey, HashedClientKey, GuessedKey, ApiKeyHash.Entry(HashedClientKey) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, key);
            using var response = await client.SendAsync(request, cancellation);
            statuses.Add(response.StatusCode);
        }

        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/calls") { Content = new StringContent("{}") };
        post.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, HashedClientKey);
        using (var response = await client.SendAsync(post, cancellation))
        {
            statuses.Add(response.StatusCode);
        }

        List<KeyValuePair<string, string>> form =
        [
            new("AccountSid", "AC" + new string('1', 32)),
            new("CallSid", "CA" + new string('2', 32)),
            new("CallStatus", "ringing"),
            new("SequenceNumber", "0"),
            new("Timestamp", "Tue, 14 Oct 2025 17:03:41 +0000"),
            new("CallbackSource", "call-progress-events"),
            new("Direction", "outbound-api"),
            new("From", "+15005550006"),
            new("To", "+14155550100"),
        ];
        const string webhook = "/twilio/voice/status";
        foreach (var token in new[] { GatewayApplication.AuthToken, SecondaryAuthToken, ForgedToken })
        {
            using var signed = TwilioSignature.SignedPost(token, GatewayApplication.PublicBaseUrl + webhook, new Uri(webhook, UriKind.Relative), form);
            using var response = await client.SendAsync(signed, cancellation);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses[..2]);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses[2..4]);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden], statuses[4..7]);
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.Forbidden], statuses[7..]);

        var records = app.Services.GetFakeLogCollector().GetSnapshot();
        var output = string.Join("\n", records.Select(r => string.Join(" | ",
            r.Category, r.Message, r.Exception?.ToString(),
            string.Join(", ", r.StructuredState ?? []),
            string.Join(", ", r.Scopes.Select(s => s?.ToString())))));
        Assert.Contains(path, output, StringComparison.Ordinal);
        Assert.Contains(webhook, output, StringComparison.Ordinal);
        string[] secrets = [GatewayApplication.ApiKey, HashedClientKey, GuessedKey, GatewayApplication.AuthToken, SecondaryAuthToken, ForgedToken];
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, output, StringComparison.Ordinal));
    }
}
