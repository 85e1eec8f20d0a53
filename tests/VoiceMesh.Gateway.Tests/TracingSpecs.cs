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
        var callSid = "CA" + new string('b', 32);
        var request = TwilioSignature.SignedPost(
            GatewayApplication.AuthToken,
            GatewayApplication.PublicBaseUrl + "/twilio/voice/status",
            new Uri("/twilio/voice/status", UriKind.Relative),
            [new("AccountSid", "AC" + new string('1', 32)), new("CallSid", callSid), new("CallStatus", "completed")]);

        using var response = await _app.CreateClient().SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var webhook = Assert.Single(_activities, a => a.Kind == ActivityKind.Server && (a.GetTagItem("twilio.call_sid") as string) == callSid);
        Assert.Equal(("AC" + new string('1', 32), nameof(CallStatusCallbackReceived)), (webhook.GetTagItem("twilio.account_sid"), webhook.GetTagItem("voicemesh.message.type")));
        Assert.Contains(_activities, a => a.TraceId == webhook.TraceId && a.Kind == ActivityKind.Producer);
    }
}
