using Microsoft.Extensions.Options;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary><c>Gateway:Accounts</c> is checked at start: a bad entry stops the gateway, naming it.</summary>
public sealed class AccountOptionsSpecs
{
    private static readonly string MainAccount = "AC" + new string('1', 32);
    private const string Subaccount = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static ValidateOptionsResult Validate(string accountSid, string authToken, string? secondary = null)
    {
        var options = new GatewayOptions { PublicBaseUrl = GatewayApplication.PublicBaseUrl };
        options.Accounts[accountSid] = new GatewayAccount { AuthToken = authToken, SecondaryAuthToken = secondary };
        var validator = new GatewayAccountsValidator(Options.Create(new TwilioOptions { AccountSid = MainAccount, AuthToken = "main" }));
        return validator.Validate(null, options);
    }

    [Fact]
    public void A_subaccount_with_a_token_is_valid() => Assert.True(Validate(Subaccount, "token", "rotated-in").Succeeded);

    [Theory]
    [InlineData("ACaaaa", "token", "Gateway:Accounts:ACaaaa: the key must be an account sid")]
    [InlineData("ACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "token", "the key must be an account sid")]
    [InlineData("PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "token", "the key must be an account sid")]
    [InlineData(Subaccount, "", $"Gateway:Accounts:{Subaccount}:AuthToken is not set (environment Gateway__Accounts__{Subaccount}__AuthToken)")]
    [InlineData(Subaccount, "  ", "AuthToken is not set")]
    [InlineData("AC11111111111111111111111111111111", "token", "this is Twilio:AccountSid")]
    public void A_bad_account_entry_fails_naming_it(string accountSid, string authToken, string expected)
    {
        var result = Validate(accountSid, authToken);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_secondary_token_fails() =>
        Assert.Contains("SecondaryAuthToken is blank", Validate(Subaccount, "token", " ").FailureMessage, StringComparison.Ordinal);

    [Fact]
    public async Task The_gateway_refuses_to_start_with_an_account_without_a_token()
    {
        var environment = new Dictionary<string, string>
        {
            ["Twilio__AccountSid"] = MainAccount,
            ["Twilio__AuthToken"] = GatewayApplication.AuthToken,
            ["Gateway__PublicBaseUrl"] = GatewayApplication.PublicBaseUrl,
            ["Gateway__ApiKeys__0"] = GatewayApplication.ApiKey,
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
            [$"Gateway__Accounts__{Subaccount}__SecondaryAuthToken"] = "rotated-in",
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.Start("VoiceMesh.Gateway", environment));

        Assert.Contains($"Gateway:Accounts:{Subaccount}:AuthToken is not set", error.Message, StringComparison.Ordinal);
    }
}
