using System.Net;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.Gateway.Twilio;
using VoiceMesh.Testing;
using Yarp.ReverseProxy.Configuration;

namespace VoiceMesh.Gateway.Tests;

/// <summary>Media Streams at the gateway: the status callback is validated and published; the WebSocket upgrade is signed over its wss URL.</summary>
public sealed class StreamWebhookSpecs : IAsyncLifetime
{
    private const string StreamSid = "MZ0123456789abcdef0123456789abcdef";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string Path = "/twilio/stream/status";
    private static readonly string AccountSid = "AC" + new string('1', 32);
    private readonly GatewayApplication _app = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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

    private static List<KeyValuePair<string, string>> Started() =>
    [
        new("AccountSid", AccountSid),
        new("CallSid", CallSid),
        new("StreamEvent", "stream-started"),
        new("StreamName", "agent-assist"),
        new("StreamSid", StreamSid),
        new("Timestamp", "2025-10-14T17:03:41.123Z"),
    ];

    private static HttpRequestMessage Signed(List<KeyValuePair<string, string>> form, string? token = null) =>
        TwilioSignature.SignedPost(GatewayApplication.AuthToken, GatewayApplication.PublicBaseUrl + Path, new Uri(Path, UriKind.Relative), form, token);

    [Fact]
    public async Task A_signed_stream_status_callback_is_published_with_its_fields_then_answered_204()
    {
        using var response = await _client.SendAsync(Signed(Started(), "idem-stream-1"), Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var published = _app.Harness.Published.Select<StreamStatusCallbackReceived>(Ct).Single();
        var message = published.Context.Message;
        Assert.Equal(StreamSid, message.StreamSid);
        Assert.Equal(CallSid, message.CallSid);
        Assert.Equal(AccountSid, message.AccountSid);
        Assert.Equal("stream-started", message.StreamEvent);
        Assert.Equal("agent-assist", message.StreamName);
        Assert.Equal("2025-10-14T17:03:41.123Z", message.Timestamp);
        Assert.Equal(WebhookIdempotency.MessageId("idem-stream-1"), published.Context.MessageId);
    }

    [Theory]
    [InlineData("StreamSid", null)]
    [InlineData("StreamSid", "MZ123")]
    [InlineData("CallSid", "CA-not-a-sid")]
    [InlineData("StreamEvent", null)]
    [InlineData("StreamEvent", "stream-paused")]
    public async Task A_stream_status_callback_with_a_missing_or_invalid_field_gets_400_naming_it_and_publishes_nothing(string field, string? value)
    {
        var form = Started().Where(f => f.Key != field).ToList();
        if (value is not null)
        {
            form.Add(new(field, value));
        }

        using var response = await _client.SendAsync(Signed(form), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False(await _app.Harness.Published.Any<StreamStatusCallbackReceived>(Ct));
    }

    [Fact]
    public async Task A_stream_status_callback_with_a_bad_signature_gets_403_and_publishes_nothing()
    {
        using var request = Signed(Started());
        request.Headers.Remove("X-Twilio-Signature");
        request.Headers.Add("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==");

        using var response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(await _app.Harness.Published.Any<StreamStatusCallbackReceived>(Ct));
    }

    private static HttpRequestMessage Upgrade(string signedUrl)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/twilio/media");
        request.Headers.Add("Upgrade", "websocket");
        request.Headers.Add("Connection", "Upgrade");
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(GatewayApplication.AuthToken, signedUrl, []));
        return request;
    }

    [Fact]
    public async Task A_media_upgrade_signed_over_the_https_url_instead_of_the_wss_url_gets_403()
    {
        using var response = await _client.SendAsync(Upgrade("https://voice.example.com/twilio/media"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_media_upgrade_signed_over_the_wss_url_passes_validation_and_is_proxied()
    {
        // No MediaStreams runs behind this in-memory gateway: YARP answers 502, which it only does once validation passed.
        using var response = await _client.SendAsync(Upgrade("wss://voice.example.com/twilio/media"), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public void The_media_websocket_path_is_routed_to_mediastreams_without_the_api_key()
    {
        var config = _app.Services.GetRequiredService<IProxyConfigProvider>().GetConfig();

        var route = Assert.Single(config.Routes, r => r.Match.Path == "/twilio/media");
        Assert.Equal("mediastreams", route.ClusterId);
        Assert.Null(route.AuthorizationPolicy);
        Assert.Equal(["GET"], route.Match.Methods);
    }
}
