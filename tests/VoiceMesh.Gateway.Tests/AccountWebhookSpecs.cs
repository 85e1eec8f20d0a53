using System.Net;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>
/// Issue 15: every webhook is checked with the tokens of the account its <c>AccountSid</c> names (the main account and
/// two subaccounts with tokens of their own here); any other account is 403 and publishes nothing.
/// </summary>
public sealed class AccountWebhookSpecs : IAsyncLifetime
{
    public const string SubaccountA = "AC" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    public const string SubaccountB = "AC" + "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string TokenA = "token-of-subaccount-a";
    private const string TokenB = "token-of-subaccount-b";
    private const string SecondaryTokenB = "token-of-subaccount-b-rotated-in";
    private const string Path = "/twilio/voice/status";
    private const string SignedUrl = GatewayApplication.PublicBaseUrl + Path;
    private static readonly string MainAccount = "AC" + new string('1', 32);

    private readonly GatewayApplication _app = new GatewayApplication()
        .With($"Gateway:Accounts:{SubaccountA}:AuthToken", TokenA)
        .With($"Gateway:Accounts:{SubaccountB}:AuthToken", TokenB)
        .With($"Gateway:Accounts:{SubaccountB}:SecondaryAuthToken", SecondaryTokenB);

    private HttpClient _client = null!;
    private MetricCollector<long> _rejected = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _client = _app.CreateClient();
        await _app.Harness.Start();
        _rejected = new(_app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), VoiceMeshTelemetry.Name, "voicemesh.gateway.webhooks.rejected");
    }

    public async ValueTask DisposeAsync()
    {
        _rejected.Dispose();
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private static List<KeyValuePair<string, string>> Ringing(string? accountSid, string callSid = "CA0123456789abcdef0123456789abcdef")
    {
        List<KeyValuePair<string, string>> form =
        [
            new("CallSid", callSid),
            new("CallStatus", "ringing"),
            new("SequenceNumber", "1"),
            new("Timestamp", "Tue, 14 Oct 2025 17:03:41 +0000"),
            new("Direction", "outbound-api"),
        ];
        if (accountSid is not null)
        {
            form.Add(new("AccountSid", accountSid));
        }

        return form;
    }

    private async Task<HttpStatusCode> Send(string token, List<KeyValuePair<string, string>> form)
    {
        using var request = TwilioSignature.SignedPost(token, SignedUrl, new Uri(Path, UriKind.Relative), form);
        using var response = await _client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private async Task AssertNothingPublished() =>
        Assert.False(await _app.Harness.Published.Any<CallStatusCallbackReceived>(Ct));

    private string[] RejectedReasons() =>
        [.. _rejected.GetMeasurementSnapshot().Select(m => (string)m.Tags["error.type"]!)];

    [Fact]
    public async Task Webhooks_of_two_subaccounts_signed_with_their_own_tokens_are_both_published()
    {
        var callA = "CA" + new string('a', 32);
        var callB = "CA" + new string('b', 32);

        Assert.Equal(HttpStatusCode.NoContent, await Send(TokenA, Ringing(SubaccountA, callA)));
        Assert.Equal(HttpStatusCode.NoContent, await Send(TokenB, Ringing(SubaccountB, callB)));
        Assert.Equal(HttpStatusCode.NoContent, await Send(GatewayApplication.AuthToken, Ringing(MainAccount)));

        var published = _app.Harness.Published.Select<CallStatusCallbackReceived>(Ct).Select(p => (p.Context.Message.AccountSid, p.Context.Message.CallSid)).ToList();
        Assert.Contains((SubaccountA, callA), published);
        Assert.Contains((SubaccountB, callB), published);
        Assert.Equal(3, published.Count);
    }

    [Fact]
    public async Task A_subaccounts_secondary_token_is_accepted_for_that_subaccount_only()
    {
        Assert.Equal(HttpStatusCode.NoContent, await Send(SecondaryTokenB, Ringing(SubaccountB)));
        Assert.Equal(HttpStatusCode.Forbidden, await Send(SecondaryTokenB, Ringing(SubaccountA)));
    }

    [Theory]
    [InlineData(SubaccountA, TokenB)]
    [InlineData(SubaccountB, TokenA)]
    [InlineData(SubaccountA, GatewayApplication.AuthToken)]
    [InlineData("AC11111111111111111111111111111111", TokenA)]
    public async Task A_webhook_for_one_account_signed_with_another_accounts_token_gets_403_and_publishes_nothing(string accountSid, string token)
    {
        Assert.Equal(HttpStatusCode.Forbidden, await Send(token, Ringing(accountSid)));

        await AssertNothingPublished();
        Assert.Equal(["invalid-signature"], RejectedReasons());
    }

    [Theory]
    [InlineData("AC" + "cccccccccccccccccccccccccccccccc")]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("ac" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task A_webhook_for_an_account_the_gateway_does_not_serve_gets_403_and_publishes_nothing(string accountSid)
    {
        Assert.Equal(HttpStatusCode.Forbidden, await Send(GatewayApplication.AuthToken, Ringing(accountSid)));

        await AssertNothingPublished();
        Assert.Equal(["unknown-account"], RejectedReasons());
    }

    [Fact]
    public async Task A_webhook_without_an_AccountSid_gets_403_and_publishes_nothing()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await Send(GatewayApplication.AuthToken, Ringing(accountSid: null)));

        await AssertNothingPublished();
        Assert.Equal(["unknown-account"], RejectedReasons());
    }

    [Fact]
    public async Task A_webhook_naming_two_accounts_gets_403_whichever_token_signed_it()
    {
        List<KeyValuePair<string, string>> form = [.. Ringing(SubaccountA), new("AccountSid", SubaccountB)];

        Assert.Equal(HttpStatusCode.Forbidden, await Send(TokenA, form));
        Assert.Equal(HttpStatusCode.Forbidden, await Send(TokenB, form));
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_webhook_whose_query_names_another_account_than_its_body_gets_403()
    {
        var form = Ringing(SubaccountA);
        var url = SignedUrl + "?AccountSid=" + SubaccountB;
        using var request = TwilioSignature.SignedPost(TokenA, url, new Uri(Path + "?AccountSid=" + SubaccountB, UriKind.Relative), form);

        using var response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertNothingPublished();
    }

    private static HttpRequestMessage Upgrade(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/twilio/media");
        request.Headers.Add("Upgrade", "websocket");
        request.Headers.Add("Connection", "Upgrade");
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(token, "wss://voice.example.com/twilio/media", []));
        return request;
    }

    [Theory]
    [InlineData(TokenA)]
    [InlineData(SecondaryTokenB)]
    [InlineData(GatewayApplication.AuthToken)]
    public async Task A_media_upgrade_signed_with_any_served_accounts_token_passes_validation(string token)
    {
        // No MediaStreams runs behind this in-memory gateway: YARP answers 502, which it only does once validation passed.
        using var response = await _client.SendAsync(Upgrade(token), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task A_media_upgrade_signed_with_a_token_of_no_served_account_gets_403()
    {
        using var response = await _client.SendAsync(Upgrade("someone-elses-token"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
