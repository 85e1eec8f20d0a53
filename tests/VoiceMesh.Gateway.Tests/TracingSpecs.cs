using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MassTransit.Testing;
using VoiceMesh.Contracts.Calls;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

public sealed class TracingSpecs : IAsyncLifetime
{
    private readonly GatewayApplication _app = new();
    private readonly ConcurrentBag<Activity> _activities = [];
    private readonly ActivityListener _listener;

    public TracingSpecs()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MassTransit" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Add,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async ValueTask InitializeAsync() => await _app.Harness.Start();

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_publish_joins_the_trace_twilio_request_started()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var request = TwilioSignature.SignedPost(
            GatewayApplication.AuthToken,
            GatewayApplication.PublicBaseUrl + "/twilio/voice/status",
            new Uri("/twilio/voice/status", UriKind.Relative),
            [new("AccountSid", "AC" + new string('1', 32)), new("CallSid", "CA" + new string('a', 32)), new("CallStatus", "ringing")]);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await _app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(await _app.Harness.Published.Any<CallStatusCallbackReceived>(TestContext.Current.CancellationToken));
        Assert.Contains(_activities, a => a.TraceId == traceId && a.Kind == ActivityKind.Producer);
    }

    [Fact]
    public async Task The_webhook_span_carries_the_sids_of_the_callback_so_the_call_s_traces_are_found_by_its_sid()
    {
        var webhook = await WebhookSpan("", header: null);

        Assert.StartsWith("CA", webhook.GetTagItem("twilio.call_sid") as string, StringComparison.Ordinal);
        Assert.Equal(("AC" + new string('1', 32), nameof(CallStatusCallbackReceived)), (webhook.GetTagItem("twilio.account_sid"), webhook.GetTagItem("voicemesh.message.type")));
        Assert.Contains(_activities, a => a.TraceId == webhook.TraceId && a.Kind == ActivityKind.Producer);
    }

    [Fact]
    public async Task The_webhook_span_carries_the_http_server_semantic_conventions()
    {
        var webhook = await WebhookSpan("?requestId=r1", header: null);

        Assert.Equal(
            ("POST", "/twilio/voice/status", "http", 204, "POST /twilio/voice/status"),
            (webhook.GetTagItem("http.request.method"), webhook.GetTagItem("url.path"), webhook.GetTagItem("url.scheme"),
                webhook.GetTagItem("http.response.status_code"), webhook.DisplayName));
        Assert.Equal("/twilio/voice/status", webhook.GetTagItem("http.route"));
        Assert.NotNull(webhook.GetTagItem("server.address"));
    }

    [Fact]
    public async Task A_callback_without_a_traceparent_header_continues_the_trace_its_signed_url_carries()
    {
        var (traceId, spanId) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());

        var webhook = await WebhookSpan($"?requestId=r1&traceparent=00-{traceId}-{spanId}-01", header: null);

        Assert.Equal((traceId, spanId), (webhook.TraceId, webhook.ParentSpanId));
    }

    [Fact]
    public async Task A_traceparent_header_wins_over_the_one_in_the_query()
    {
        var (headerTrace, headerSpan) = (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());

        var webhook = await WebhookSpan(
            $"?traceparent=00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01", header: $"00-{headerTrace}-{headerSpan}-01");

        Assert.Equal((headerTrace, headerSpan), (webhook.TraceId, webhook.ParentSpanId));
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra")]
    public async Task A_malformed_traceparent_in_the_query_is_ignored_and_the_callback_starts_its_own_trace(string malformed)
    {
        var webhook = await WebhookSpan("?traceparent=" + Uri.EscapeDataString(malformed), header: null);

        Assert.NotEqual("0af7651916cd43dd8448eb211c80319c", webhook.TraceId.ToHexString());
        Assert.Equal(default, webhook.ParentSpanId);
    }

    [Fact]
    public async Task A_repeated_traceparent_in_the_query_is_ignored()
    {
        var traceId = ActivityTraceId.CreateRandom();

        var webhook = await WebhookSpan(
            $"?traceparent=00-{traceId}-{ActivitySpanId.CreateRandom()}-01&traceparent=00-{traceId}-{ActivitySpanId.CreateRandom()}-01", header: null);

        Assert.NotEqual(traceId, webhook.TraceId);
        Assert.Equal(default, webhook.ParentSpanId);
    }

    /// <summary>Sends a signed status callback to <c>/twilio/voice/status{query}</c> and returns its server span.</summary>
    private async Task<Activity> WebhookSpan(string query, string? header)
    {
        var callSid = "CA" + Guid.NewGuid().ToString("N");
        var request = TwilioSignature.SignedPost(
            GatewayApplication.AuthToken,
            GatewayApplication.PublicBaseUrl + "/twilio/voice/status" + query,
            new Uri("/twilio/voice/status" + query, UriKind.Relative),
            [new("AccountSid", "AC" + new string('1', 32)), new("CallSid", callSid), new("CallStatus", "ringing")]);
        if (header is not null)
        {
            request.Headers.Add("traceparent", header);
        }

        using var response = await _app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        bool IsWebhook(Activity a) => a.Kind == ActivityKind.Server && (a.GetTagItem("twilio.call_sid") as string) == callSid;

        // The server span stops once the response is complete, which the client may see first.
        for (var waited = 0; waited < 50 && !_activities.Any(IsWebhook); waited++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return Assert.Single(_activities, IsWebhook);
    }
}
