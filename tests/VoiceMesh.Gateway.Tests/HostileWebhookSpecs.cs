using System.Net;
using System.Text;
using MassTransit.Testing;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>Issue 15's hostile webhooks: each gets a 4xx naming what is wrong and publishes nothing.</summary>
public sealed class HostileWebhookSpecs : IAsyncLifetime
{
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

    private static List<KeyValuePair<string, string>> Completed() =>
    [
        new("AccountSid", "AC" + new string('1', 32)),
        new("CallSid", "CA0123456789abcdef0123456789abcdef"),
        new("CallStatus", "completed"),
        new("SequenceNumber", "4"),
        new("Timestamp", "Tue, 14 Oct 2025 17:03:41 +0000"),
        new("Direction", "outbound-api"),
        new("From", "+15005550006"),
        new("To", "+14155550100"),
    ];

    private static List<KeyValuePair<string, string>> With(string field, string value) =>
        [.. Completed().Where(f => f.Key != field), new(field, value)];

    private static HttpRequestMessage Signed(List<KeyValuePair<string, string>> form) =>
        TwilioSignature.SignedPost(GatewayApplication.AuthToken, SignedUrl, new Uri("/twilio/voice/status", UriKind.Relative), form);

    private async Task AssertNothingPublished() =>
        Assert.False(await _app.Harness.Published.Any<CallStatusCallbackReceived>(TestContext.Current.CancellationToken));

    [Theory]
    [InlineData("To", "+14155550100\0")]
    [InlineData("From", "\0")]
    [InlineData("Direction", "outbound-api\0")]
    [InlineData("AnsweredBy", "human\0")]
    [InlineData("CallbackSource", "call-progress-events\n")]
    [InlineData("FutureTwilioField", "\u0007")]
    [InlineData("To", "+1415555\u0661\u0662\u0663")]
    [InlineData("From", "+14155550100 ")]
    [InlineData("To", "14155550100")]
    [InlineData("Timestamp", "12:00")]
    [InlineData("Timestamp", "5/6")]
    [InlineData("Timestamp", "2025-10-14T17:03:41Z")]
    [InlineData("Timestamp", "Wed, 14 Oct 2025 17:03:41 +0000")]
    [InlineData("SequenceNumber", "4\0")]
    [InlineData("SequenceNumber", "+4")]
    [InlineData("SequenceNumber", "\u0664")]
    public async Task A_signed_webhook_with_a_field_that_cannot_be_stored_as_twilio_means_it_gets_400_naming_it(string field, string value)
    {
        using var response = await _client.SendAsync(Signed(With(field, value)), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertNothingPublished();
    }

    [Theory]
    [InlineData("To", "client:alice")]
    [InlineData("To", "sip:alice@example.com")]
    [InlineData("From", "+266696687")]
    [InlineData("Timestamp", "14 Oct 2025 10:03:41 -0700")]
    [InlineData("Timestamp", "Tue, 14 Oct 2025 17:03 GMT")]
    public async Task Every_form_twilio_uses_is_accepted(string field, string value)
    {
        using var response = await _client.SendAsync(Signed(With(field, value)), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var message = _app.Harness.Published.Select<CallStatusCallbackReceived>(TestContext.Current.CancellationToken).Single().Context.Message;
        Assert.Equal(new DateTimeOffset(2025, 10, 14, 17, 3, field == "Timestamp" && value.Contains("GMT", StringComparison.Ordinal) ? 0 : 41, TimeSpan.Zero), message.Timestamp);
    }

    [Fact]
    public async Task A_lowercase_post_gets_405()
    {
        var request = Signed(Completed());
        request.Method = new HttpMethod("post");

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_form_with_more_fields_than_twilio_sends_gets_400_before_it_is_parsed()
    {
        var form = Completed();
        form.AddRange(Enumerable.Range(0, 1100).Select(i => new KeyValuePair<string, string>($"f{i}", "")));

        using var response = await _client.SendAsync(Signed(form), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNothingPublished();
    }

    [Fact]
    public async Task A_field_name_over_the_limit_gets_400_before_it_is_parsed()
    {
        var request = Signed(Completed());
        request.Content = new StringContent(new string('k', 3000) + "=v", Encoding.ASCII, "application/x-www-form-urlencoded");

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNothingPublished();
    }
}
