using System.Net;
using MassTransit.Testing;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>
/// docs/twilio-accounts.md's rotation, one gateway per configuration as an operator restarts it: (1) the new token
/// is added as the secondary, (2) Twilio rotates and signs with the new token, (3) the new token becomes the primary
/// and the old one is dropped. No webhook is refused until the old token is dropped; then an old-signed one is 403.
/// </summary>
public sealed class TokenRotationSpecs
{
    private const string OldToken = "old-auth-token";
    private const string NewToken = "new-auth-token";
    private const string Path = "/twilio/voice/status";
    private static readonly string MainAccount = "AC" + new string('1', 32);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Where an account's tokens are configured: the main account's under Twilio, a subaccount's under Gateway:Accounts.</summary>
    private static (string AccountSid, string AuthTokenKey, string SecondaryKey) Account(bool subaccount) => subaccount
        ? (AccountWebhookSpecs.SubaccountA,
            $"Gateway:Accounts:{AccountWebhookSpecs.SubaccountA}:AuthToken",
            $"Gateway:Accounts:{AccountWebhookSpecs.SubaccountA}:SecondaryAuthToken")
        : (MainAccount, "Twilio:AuthToken", "Twilio:SecondaryAuthToken");

    private static async Task<HttpStatusCode[]> Deliver(string accountSid, string authToken, string? secondary, string authTokenKey, string secondaryKey, params string[] signingTokens)
    {
        await using var app = new GatewayApplication().With(authTokenKey, authToken).With(secondaryKey, secondary);
        using var client = app.CreateClient();
        await app.Harness.Start();
        var statuses = new List<HttpStatusCode>();
        foreach (var token in signingTokens)
        {
            List<KeyValuePair<string, string>> form =
            [
                new("AccountSid", accountSid),
                new("CallSid", "CA0123456789abcdef0123456789abcdef"),
                new("CallStatus", "ringing"),
                new("SequenceNumber", statuses.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ];
            using var request = TwilioSignature.SignedPost(token, GatewayApplication.PublicBaseUrl + Path, new Uri(Path, UriKind.Relative), form);
            using var response = await client.SendAsync(request, Ct);
            statuses.Add(response.StatusCode);
        }

        var published = app.Harness.Published.Select<CallStatusCallbackReceived>(Ct).Count();
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.NoContent), published);
        return [.. statuses];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rotating_a_token_through_the_secondary_refuses_no_webhook_until_the_old_token_is_dropped(bool subaccount)
    {
        var (accountSid, authTokenKey, secondaryKey) = Account(subaccount);

        // Before: only the old token; a webhook signed with the new one is not this account's.
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.Forbidden],
            await Deliver(accountSid, OldToken, null, authTokenKey, secondaryKey, OldToken, NewToken));

        // Stages 1 and 2: the new token is the secondary; webhooks still signed with the old one (before Twilio
        // rotates, or retried from before) and those signed with the new one (after) are both accepted.
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent],
            await Deliver(accountSid, OldToken, NewToken, authTokenKey, secondaryKey, OldToken, NewToken));

        // Stage 3: the new token is the primary and the old one is dropped; an old-signed webhook is now 403.
        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.Forbidden],
            await Deliver(accountSid, NewToken, null, authTokenKey, secondaryKey, NewToken, OldToken));
    }
}
