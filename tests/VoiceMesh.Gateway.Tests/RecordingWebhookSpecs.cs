using System.Net;
using MassTransit.Testing;
using VoiceMesh.Contracts.Recordings;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

public sealed class RecordingWebhookSpecs : IAsyncLifetime
{
    private const string RecordingSid = "RE0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string Path = "/twilio/recording/status";
    private static readonly string AccountSid = "AC" + new string('1', 32);
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
        new("AccountSid", AccountSid),
        new("CallSid", CallSid),
        new("ErrorCode", "0"),
        new("RecordingChannels", "2"),
        new("RecordingDuration", "17"),
        new("RecordingSid", RecordingSid),
        new("RecordingSource", "OutboundAPI"),
        new("RecordingStartTime", "Tue, 14 Oct 2025 17:03:41 +0000"),
        new("RecordingStatus", "completed"),
        new("RecordingTrack", "both"),
        new("RecordingUrl", $"https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}"),
    ];

    private static HttpRequestMessage Signed(List<KeyValuePair<string, string>> form, string? token = null) =>
        TwilioSignature.SignedPost(GatewayApplication.AuthToken, GatewayApplication.PublicBaseUrl + Path, new Uri(Path, UriKind.Relative), form, token);

    private async Task AssertNothingPublished() =>
        Assert.False(await _app.Harness.Published.Any<RecordingCallbackReceived>(TestContext.Current.CancellationToken));

    [Fact]
    public async Task A_signed_recording_callback_is_published_with_its_fields_then_answered_204()
    {
        using var response = await _client.SendAsync(Signed(Completed(), "idem-rec-1"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var published = _app.Harness.Published.Select<RecordingCallbackReceived>(TestContext.Current.CancellationToken).Single();
        var message = published.Context.Message;
        Assert.Equal(RecordingSid, message.RecordingSid);
        Assert.Equal(CallSid, message.CallSid);
        Assert.Equal(AccountSid, message.AccountSid);
        Assert.Equal("completed", message.RecordingStatus);
        Assert.Equal($"https://api.twilio.com/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}", message.RecordingUrl);
        Assert.Equal(17, message.RecordingDurationSeconds);
        Assert.Equal(2, message.RecordingChannels);
        Assert.Equal("OutboundAPI", message.RecordingSource);
        Assert.Equal(0, message.ErrorCode);
        Assert.Equal("both", message.Parameters["RecordingTrack"]);
        Assert.Equal("idem-rec-1", message.IdempotencyKey);
        Assert.Equal(WebhookIdempotency.MessageId("idem-rec-1"), published.Context.MessageId);
    }

    [Theory]
    [InlineData("RecordingSid", null)]
    [InlineData("RecordingSid", "RE123")]
    [InlineData("RecordingStatus", null)]
    [InlineData("RecordingStatus", "done")]
    [InlineData("RecordingDuration", "-3")]
    [InlineData("RecordingUrl", "ftp://api.twilio.com/x")]
    public async Task A_missing_or_malformed_recording_field_gets_400_naming_it_and_publishes_nothing(string field, string? value)
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
    public async Task A_recording_callback_with_a_bad_signature_gets_403_and_publishes_nothing()
    {
        var request = Signed(Completed());
        var tampered = Completed();
        tampered[^1] = new("RecordingUrl", "http://169.254.169.254/latest/meta-data");
        request.Content = new FormUrlEncodedContent(tampered);

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await AssertNothingPublished();
    }
}
