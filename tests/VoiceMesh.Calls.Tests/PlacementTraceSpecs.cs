using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Http;
using VoiceMesh.Calls;
using VoiceMesh.Calls.Placement;

namespace VoiceMesh.Calls.Tests;

/// <summary>The trace context a placement hands Twilio in its callback URLs, for the gateway to continue.</summary>
public sealed class PlacementTraceSpecs
{
    private static readonly PlacementRequested Request = new()
    {
        RequestId = "r-1", To = "+14155550100", From = "+15005550006", Twiml = "<Response/>", MachineDetection = "Enable", AsyncAmd = true,
        RequestedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public async Task A_placement_under_a_trace_puts_its_traceparent_in_the_status_and_amd_callback_urls()
    {
        using var source = new ActivitySource(nameof(PlacementTraceSpecs));
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var twilio = new RecordingTwilioClient();
        using var consume = source.StartActivity("consume PlaceCall")!;

        await Placer(twilio).Create(Request, TestContext.Current.CancellationToken);

        Assert.Equal($"https://voice.example.com/twilio/voice/status?requestId=r-1&traceparent={consume.Id}", twilio.Parameter("StatusCallback"));
        Assert.Equal($"https://voice.example.com/twilio/voice/amd?requestId=r-1&traceparent={consume.Id}", twilio.Parameter("AsyncAmdStatusCallback"));
    }

    [Fact]
    public async Task A_placement_outside_a_trace_sends_plain_callback_urls()
    {
        var twilio = new RecordingTwilioClient();

        await Placer(twilio).Create(Request, TestContext.Current.CancellationToken);

        Assert.Equal("https://voice.example.com/twilio/voice/status?requestId=r-1", twilio.Parameter("StatusCallback"));
    }

    private static TwilioCallPlacer Placer(ITwilioRestClient twilio) =>
        new(twilio, Options.Create(new CallsOptions { PublicBaseUrl = "https://voice.example.com/" }));

    /// <summary>Answers every create with a new call and keeps what it was asked.</summary>
    private sealed class RecordingTwilioClient : ITwilioRestClient
    {
        private Request? _last;

        public string AccountSid => "AC" + new string('1', 32);

        public string Region => "";

        public Twilio.Http.HttpClient HttpClient => throw new NotSupportedException();

        public string? Parameter(string name) => _last?.PostParams.SingleOrDefault(p => p.Key == name).Value;

        public Response Request(Request request) => RequestAsync(request).GetAwaiter().GetResult();

        public Task<Response> RequestAsync(Request request)
        {
            _last = request;
            return Task.FromResult(new Response(HttpStatusCode.Created, $$"""{"sid":"CA{{new string('2', 32)}}","account_sid":"{{AccountSid}}"}"""));
        }
    }
}
