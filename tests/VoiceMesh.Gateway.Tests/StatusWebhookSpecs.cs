using System.Net;
using System.Text;
using MassTransit.Testing;
using Microsoft.Extensions.Options;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

public sealed class StatusWebhookSpecs : IAsyncLifetime
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string SignedUrl = GatewayApplication.PublicBaseUrl + "/twilio/voice/status";
    private readonly GatewayApplication _app = new();
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _client = _app.CreateClient();
        await _app.Harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private static List<KeyValuePair<string, string>> Completed(string callSid = CallSid) =>
    [
        new("AccountSid", "AC" + new string('1', 32)),
        new("CallSid", callSid),
        new("CallStatus", "completed"),
        new("CallDuration", "42"),
        new("SequenceNumber", "4"),
        new("Timestamp", "Tue, 14 Oct 2025 17:03:41 +0000"),
        new("CallbackSource", "call-progress-events"),
        new("Direction", "outbound-api"),
        new("From", "+15005550006"),
        new("To", "+14155550100"),
        new("FutureTwilioField", "kept"),
    ];

    private static HttpRequestMessage Signed(List<KeyValuePair<string, string>> form, string? token = null) =>
        TwilioSignature.SignedPost(GatewayApplication.AuthToken, SignedUrl, new Uri("/twilio/voice/status", UriKind.Relative), form, token);

    private async Task AssertNothingPublished()
    {
        Assert.False(await _app.Harness.Published.Any<CallStatusCallbackReceived>(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_signed_callback_is_published_with_every_parameter_then_answered_204()
    {
        using var response = await _client.SendAsync(Signed(Completed(), "idem-1"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var published = _app.Harness.Published.Select<CallStatusCallbackReceived>(TestContext.Current.CancellationToken).Single();
        var message = published.Context.Message;
        Assert.Equal(CallSid, message.CallSid);
        Assert.Equal("completed", message.CallStatus);
        Assert.Equal(4, message.SequenceNumber);
        Assert.Equal(42, message.CallDurationSeconds);
        Assert.Equal(new DateTimeOffset(2025, 10, 14, 17, 3, 41, TimeSpan.Zero), message.Timestamp);
        Assert.Equal("kept", message.Parameters["FutureTwilioField"]);
        Assert.Equal("idem-1", message.IdempotencyKey);
        Assert.Equal(WebhookIdempotency.MessageId("idem-1"), published.Context.MessageId);
    }

    [Fact]
    public async Task A_retried_callback_is_answered_like_the_first_and_carries_the_same_message_id()
    {
        using var first = await _client.SendAsync(Signed(Completed()), TestContext.Current.CancellationToken);
        using var retry = await _client.SendAsync(Signed(Completed()), TestContext.Current.CancellationToken);
        using var other = await _client.SendAsync(
            Signed(Completed("CA" + new string('f', 32))), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, other.StatusCode);

        // The harness keeps one entry per message id: the retry folds into the first, the other callback does not.
        var published = _app.Harness.Published.Select<CallStatusCallbackReceived>(TestContext.Current.CancellationToken)
            .Select(p => p.Context.Message.CallSid).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([CallSid, "CA" + new string('f', 32)], published);
    }

    [Fact]
    public async Task A_tampered_parameter_gets_403_and_publishes_nothing()
    {
        var request = Signed(Completed());
        var tampered = Completed();
        tampered[2] = new("CallStatus", "busy");
        request.Content = new FormUrlEncodedContent(tampered);

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_request_without_a_signature_gets_403()
    {
        using var response = await _client.PostAsync(
            "/twilio/voice/status", new FormUrlEncodedContent(Completed()), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_signature_over_the_internal_host_is_rejected()
    {
        var request = TwilioSignature.SignedPost(
            GatewayApplication.AuthToken, "http://localhost/twilio/voice/status", new Uri("/twilio/voice/status", UriKind.Relative), Completed());

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_body_over_64_KiB_gets_413()
    {
        var form = Completed();
        form.Add(new("Padding", new string('x', 70 * 1024)));

        using var response = await _client.SendAsync(Signed(form), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_json_body_gets_415()
    {
        var request = Signed(Completed());
        request.Content = new StringContent("""{"CallSid":"CA0123456789abcdef0123456789abcdef"}""", Encoding.UTF8, "application/json");

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertNothingPublished();
    }

    [Theory]
    [InlineData("CallSid", null)]
    [InlineData("CallSid", "CA123")]
    [InlineData("CallSid", "XX0123456789abcdef0123456789abcdef")]
    [InlineData("CallStatus", null)]
    [InlineData("CallStatus", "answered")]
    [InlineData("SequenceNumber", "-1")]
    [InlineData("Timestamp", "yesterday")]
    public async Task A_missing_or_malformed_field_gets_400_naming_it(string field, string? value)
    {
        var form = Completed().Where(f => f.Key != field).ToList();
        if (value is not null)
        {
            form.Add(new(field, value));
        }

        using var response = await _client.SendAsync(Signed(form), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task An_account_sid_sent_twice_gets_400_naming_it_and_publishes_nothing()
    {
        var form = Completed();
        form.Add(form.Single(f => f.Key == "AccountSid"));

        using var response = await _client.SendAsync(Signed(form), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"AccountSid\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task The_api_requires_a_known_api_key()
    {
        using var none = await _client.GetAsync("/api/calls/" + CallSid, TestContext.Current.CancellationToken);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/calls/" + CallSid);
        wrong.Headers.Add("X-Api-Key", "not-" + GatewayApplication.ApiKey);
        using var wrongResponse = await _client.SendAsync(wrong, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
    }

    [Fact]
    public async Task Health_endpoints_are_anonymous()
    {
        using var response = await _client.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
