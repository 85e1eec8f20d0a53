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
            ShouldListenTo = source => source.Name == "MassTransit",
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
}
