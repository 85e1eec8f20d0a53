using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VoiceMesh.Gateway.Api;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>
/// <c>/api/*</c> through the gateway to a real backend: keys known only by their hash, scopes decided by the <c>api</c>
/// policy, a token bucket per client, and problem+json refusals.
/// </summary>
public sealed class ApiSecuritySpecs : IAsyncLifetime
{
    private const string ReaderKey = "vm_reader_5b0c1d2e3f4a5b6c7d8e9f";
    private const string OperatorKey = "vm_operator_0a1b2c3d4e5f6a7b8c9d";
    private const string AdminKey = "vm_admin_9f8e7d6c5b4a3f2e1d0c";
    private const string LimitedKey = "vm_limited_1a2b3c4d5e6f7a8b9c0d";
    private const string HashedKey = "vm_hashed_6d5c4b3a2f1e0d9c8b7a";
    private const string CallPath = "/api/calls/CA0123456789abcdef0123456789abcdef";

    private EchoBackend _backend = null!;
    private GatewayApplication _app = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await EchoBackend.Start();
        _app = new GatewayApplication()
            .With("ReverseProxy:Clusters:calls:Destinations:primary:Address", _backend.Url)
            .With("ReverseProxy:Routes:admin-test:ClusterId", "calls")
            .With("ReverseProxy:Routes:admin-test:AuthorizationPolicy", ApiRegistration.Policy)
            .With("ReverseProxy:Routes:admin-test:Match:Path", "/api/admin/{**rest}")
            .With("Gateway:ApiKeys:1", ApiKeyHash.Entry(HashedKey))
            .With("Gateway:ApiClients:reader:KeySha256", Sha256(ReaderKey))
            .With("Gateway:ApiClients:reader:Scopes:0", "read")
            .With("Gateway:ApiClients:operator:KeySha256", "sha256:" + Sha256(OperatorKey).ToUpperInvariant())
            .With("Gateway:ApiClients:operator:Scopes:0", "read")
            .With("Gateway:ApiClients:operator:Scopes:1", "command")
            .With("Gateway:ApiClients:admin:KeySha256", Sha256(AdminKey))
            .With("Gateway:ApiClients:admin:Scopes:0", "admin")
            .With("Gateway:ApiClients:limited:KeySha256", Sha256(LimitedKey))
            .With("Gateway:ApiClients:limited:Scopes:0", "read")
            .With("Gateway:ApiClients:limited:PermitsPerSecond", "1")
            .With("Gateway:ApiClients:limited:Burst", "2");
        _client = _app.CreateClient();
        await _app.Harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private static string Sha256(string key) => Convert.ToHexStringLower(ApiKeyHash.Of(key));

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, params string[] keys)
    {
        using var request = new HttpRequestMessage(method, path);
        if (method != HttpMethod.Get && method != HttpMethod.Head)
        {
            request.Content = JsonContent.Create(new { });
        }

        if (keys.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(ApiKeyAuthenticationHandler.HeaderName, keys);
        }

        return await _client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_plain_key_from_ApiKeys_is_accepted_and_the_key_is_not_forwarded_to_the_service()
    {
        using var response = await Send(HttpMethod.Get, CallPath, GatewayApplication.ApiKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"GET {CallPath} key=False", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Keys_configured_only_by_their_hash_are_accepted_in_ApiKeys_and_ApiClients()
    {
        using var hashedEntry = await Send(HttpMethod.Post, "/api/calls", HashedKey);
        using var client = await Send(HttpMethod.Get, CallPath, ReaderKey);
        using var uppercaseHash = await Send(HttpMethod.Post, "/api/calls", OperatorKey);

        Assert.Equal(HttpStatusCode.OK, hashedEntry.StatusCode);
        Assert.Equal(HttpStatusCode.OK, client.StatusCode);
        Assert.Equal(HttpStatusCode.OK, uppercaseHash.StatusCode);
    }

    [Fact]
    public void Only_hashes_of_the_configured_keys_are_kept_in_the_options()
    {
        var options = _app.Services.GetRequiredService<IOptions<ApiAccessOptions>>().Value;

        Assert.Equal([ApiKeyHash.Entry(GatewayApplication.ApiKey), ApiKeyHash.Entry(HashedKey)], options.ApiKeys);
    }

    [Fact]
    public async Task A_missing_or_wrong_key_is_answered_401_problem_json()
    {
        using var none = await Send(HttpMethod.Get, CallPath);
        using var wrong = await Send(HttpMethod.Get, CallPath, "not-" + GatewayApplication.ApiKey);
        using var hashInsteadOfKey = await Send(HttpMethod.Get, CallPath, Sha256(ReaderKey));

        await AssertProblem(none, HttpStatusCode.Unauthorized);
        await AssertProblem(wrong, HttpStatusCode.Unauthorized);
        await AssertProblem(hashInsteadOfKey, HttpStatusCode.Unauthorized);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", wrong.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_read_only_key_can_get_and_head_but_gets_403_problem_json_on_post_and_delete()
    {
        using var get = await Send(HttpMethod.Get, CallPath, ReaderKey);
        using var head = await Send(HttpMethod.Head, CallPath, ReaderKey);
        using var post = await Send(HttpMethod.Post, "/api/calls", ReaderKey);
        using var delete = await Send(HttpMethod.Delete, CallPath, ReaderKey);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        await AssertProblem(post, HttpStatusCode.Forbidden);
        Assert.Contains("'command'", await post.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertProblem(delete, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Paths_under_api_admin_need_the_admin_scope_whatever_the_method()
    {
        using var operatorGet = await Send(HttpMethod.Get, "/api/admin/echo", OperatorKey);
        using var operatorPost = await Send(HttpMethod.Post, "/API/Admin/echo/replay", OperatorKey);
        using var adminGet = await Send(HttpMethod.Get, "/api/admin/echo", AdminKey);
        using var adminPost = await Send(HttpMethod.Post, "/api/admin/echo/replay", AdminKey);
        using var everyScope = await Send(HttpMethod.Get, "/api/admin/echo", GatewayApplication.ApiKey);
        using var adminOnCalls = await Send(HttpMethod.Get, CallPath, AdminKey);
        using var operatorDeadLetters = await Send(HttpMethod.Get, "/api/admin/dead-letters", OperatorKey);
        using var operatorReplay = await Send(HttpMethod.Post, "/api/admin/dead-letters/place-call_error/replay", OperatorKey);

        await AssertProblem(operatorGet, HttpStatusCode.Forbidden);
        Assert.Contains("'admin'", await operatorGet.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertProblem(operatorPost, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, adminGet.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminPost.StatusCode);
        Assert.Equal(HttpStatusCode.OK, everyScope.StatusCode);
        await AssertProblem(adminOnCalls, HttpStatusCode.Forbidden);
        await AssertProblem(operatorDeadLetters, HttpStatusCode.Forbidden);
        await AssertProblem(operatorReplay, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_key_over_its_rate_gets_429_problem_json_with_Retry_After_while_other_keys_webhooks_and_health_pass()
    {
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var response = await Send(HttpMethod.Get, CallPath, LimitedKey);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
            }
        }

        Assert.NotNull(refused);
        using (refused)
        {
            await AssertProblem(refused, HttpStatusCode.TooManyRequests);
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        }

        using var other = await Send(HttpMethod.Get, CallPath, ReaderKey);
        using var health = await _client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        using var unsigned = await _client.PostAsync("/twilio/voice/status", new FormUrlEncodedContent([]), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
    }

    [Fact]
    public async Task A_key_from_voicemesh_api_key_works_with_the_settings_it_prints_which_hold_only_its_hash()
    {
        var info = new ProcessStartInfo(RepositoryPaths.Script("voicemesh"))
        {
            ArgumentList = { "api-key", "--scopes", "read", "--name", "ci_reader" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, process.ExitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var key = lines[0];
        var settings = lines[1..].Select(line => line.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(["Gateway__ApiClients__ci_reader__KeySha256", "Gateway__ApiClients__ci_reader__Scopes__0"], settings.Keys);
        Assert.DoesNotContain(key, string.Join("\n", settings.Values), StringComparison.Ordinal);

        await using var app = new GatewayApplication().With("ReverseProxy:Clusters:calls:Destinations:primary:Address", _backend.Url);
        foreach (var (name, value) in settings)
        {
            app.With(name.Replace("__", ":", StringComparison.Ordinal), value);
        }

        using var client = app.CreateClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, CallPath) { Headers = { { ApiKeyAuthenticationHandler.HeaderName, key } } };
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/calls") { Headers = { { ApiKeyAuthenticationHandler.HeaderName, key } } };
        using var read = await client.SendAsync(get, TestContext.Current.CancellationToken);
        using var command = await client.SendAsync(post, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, command.StatusCode);
    }

    [Theory]
    [InlineData("two headers")]
    [InlineData("two headers, same key")]
    [InlineData("empty")]
    [InlineData("blank")]
    [InlineData("huge")]
    public async Task A_malformed_key_header_is_answered_401_never_500(string malformation)
    {
        string[] keys = malformation switch
        {
            "two headers" => [ReaderKey, GatewayApplication.ApiKey],
            "two headers, same key" => [GatewayApplication.ApiKey, GatewayApplication.ApiKey],
            "empty" => [""],
            "blank" => ["   "],
            _ => [new string('k', 64 * 1024)],
        };

        using var response = await Send(HttpMethod.Get, CallPath, keys);

        await AssertProblem(response, HttpStatusCode.Unauthorized);
    }
}
