using Microsoft.Extensions.Options;
using VoiceMesh.Gateway.Api;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary><c>Gateway:ApiKeys</c> and <c>Gateway:ApiClients</c> as the gateway reads them: hashed, checked, or refused at start-up.</summary>
public sealed class ApiAccessOptionsSpecs
{
    private static readonly string Hash = new('a', 64);

    private static ValidateOptionsResult Setup(ApiAccessOptions options)
    {
        var setup = new ApiAccessOptionsSetup();
        setup.PostConfigure(null, options);
        return setup.Validate(null, options);
    }

    private static ApiAccessOptions Client(string name, string keySha256, params string[] scopes)
    {
        var options = new ApiAccessOptions();
        var client = new ApiClientOptions { KeySha256 = keySha256 };
        foreach (var scope in scopes)
        {
            client.Scopes.Add(scope);
        }

        options.ApiClients[name] = client;
        return options;
    }

    [Fact]
    public void A_plain_api_key_is_replaced_by_its_hash_and_a_sha256_entry_is_kept_as_it_is()
    {
        var options = new ApiAccessOptions { ApiKeys = { "plain-key-123", "sha256:" + Hash, "" } };

        var result = Setup(options);

        Assert.True(result.Succeeded);
        Assert.Equal(["sha256:" + Convert.ToHexStringLower(ApiKeyHash.Of("plain-key-123")), "sha256:" + Hash, ""], options.ApiKeys);
    }

    [Theory]
    [InlineData("sha256:abc", "Gateway:ApiKeys:0 starts with 'sha256:'")]
    [InlineData("sha256:" + "zz00000000000000000000000000000000000000000000000000000000000000", "64 hex digits")]
    public void A_sha256_entry_without_a_hash_is_refused_naming_the_setting(string entry, string expected)
    {
        var result = Setup(new ApiAccessOptions { ApiKeys = { entry } });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_with_bad_hex_no_scope_an_unknown_scope_or_a_rate_below_one_is_refused_with_each_reason()
    {
        var badHex = Setup(Client("ops", "xyz", "read"));
        var noScope = Setup(Client("ops", Hash));
        var unknown = Setup(Client("ops", Hash, "read", "write"));
        var slow = Client("ops", Hash, "read");
        slow.ApiClients["ops"].PermitsPerSecond = 0;
        var badName = Setup(Client("ops team", Hash, "read"));

        Assert.Contains("Gateway:ApiClients:ops:KeySha256 (environment Gateway__ApiClients__ops__KeySha256) must be the key's SHA-256 as 64 hex digits", badHex.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:ApiClients:ops:Scopes is empty", noScope.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("unknown scope 'write'; the scopes are read, command, admin", unknown.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Gateway:ApiClients:ops:PermitsPerSecond must be between 1", Setup(slow).FailureMessage, StringComparison.Ordinal);
        Assert.Contains("a client name is", badName.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void One_key_given_to_two_clients_is_refused()
    {
        var options = Client("first", Hash, "read");
        options.ApiClients["second"] = new ApiClientOptions { KeySha256 = "SHA256:" + Hash.ToUpperInvariant(), Scopes = { "admin" } };

        var result = Setup(options);

        Assert.Contains("has the same key as Gateway:ApiClients:first", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_refuses_to_start_with_an_invalid_client_and_says_why()
    {
        var environment = new Dictionary<string, string>
        {
            ["Twilio__AccountSid"] = "AC" + new string('1', 32),
            ["Twilio__AuthToken"] = GatewayApplication.AuthToken,
            ["Gateway__PublicBaseUrl"] = GatewayApplication.PublicBaseUrl,
            ["Gateway__ApiKeys__0"] = GatewayApplication.ApiKey,
            ["Gateway__ApiClients__ops__KeySha256"] = "not-a-hash",
            ["Gateway__ApiClients__ops__Scopes__0"] = "superuser",
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.Start("VoiceMesh.Gateway", environment));

        Assert.Contains("exited with", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway__ApiClients__ops__KeySha256", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown scope 'superuser'", error.Message, StringComparison.Ordinal);
    }
}
