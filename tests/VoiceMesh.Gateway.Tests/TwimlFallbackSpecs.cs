using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using VoiceMesh.Gateway.Fallback;
using VoiceMesh.ServiceDefaults;
using VoiceMesh.Testing;

namespace VoiceMesh.Gateway.Tests;

/// <summary>
/// The gateway in front of a stand-in for Calls (a real HTTP server on loopback) that answers, stalls or fails: a
/// caller gets Calls' TwiML when it answers and the configured fallback TwiML, with 200, when it cannot.
/// </summary>
public sealed class TwimlFallbackSpecs : IAsyncLifetime
{
    private const string AccountSid = "AC11111111111111111111111111111111";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private WebApplication _calls = null!;
    private readonly CancellationTokenSource _stop = new();

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}");
        _calls = builder.Build();
        _calls.MapPost("/twilio/voice", () => Results.Text("<Response><Say>Welcome from Calls.</Say></Response>", "application/xml"));
        _calls.MapPost("/twilio/voice/flow/{flow}/refused", () => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Calls says no"));
        _calls.MapPost("/twilio/voice/flow/{flow}/broken", () => Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Calls broke"));
        _calls.MapGet("/api/calls/{callSid}", () => Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Calls broke"));
        _calls.MapPost("/twilio/voice/flow/{flow}/stalled", async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), _stop.Token);
            return Results.Text("<Response><Say>Too late.</Say></Response>", "application/xml");
        });
        await _calls.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _calls.DisposeAsync();
        _stop.Dispose();
    }

    private static GatewayApplication Gateway(string callsAddress) => new GatewayApplication()
        .With("ReverseProxy:Clusters:calls:Destinations:primary:Address", callsAddress)
        .With("Gateway:Fallback:Timeout", Timeout.ToString());

    private GatewayApplication Gateway() => Gateway(_calls.Urls.Single() + "/");

    private static List<KeyValuePair<string, string>> Incoming(params KeyValuePair<string, string>[] extra) =>
    [
        new("AccountSid", AccountSid),
        new("CallSid", CallSid),
        new("From", "+14155550100"),
        new("To", "+15005550006"),
        new("CallStatus", "in-progress"),
        .. extra,
    ];

    private static HttpRequestMessage Signed(string path, List<KeyValuePair<string, string>> form) =>
        TwilioSignature.SignedPost(GatewayApplication.AuthToken, GatewayApplication.PublicBaseUrl + path, new Uri(path, UriKind.Relative), form);

    private static async Task<XElement> Twiml(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        return XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Root!;
    }

    private static string[] Verbs(XElement twiml) => [.. twiml.Elements().Select(e => e.Name.LocalName)];

    private static MetricCollector<long> Fallbacks(GatewayApplication app) =>
        new(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), VoiceMeshTelemetry.Name, "voicemesh.gateway.twiml.fallbacks");

    private static void AssertCounted(MetricCollector<long> fallbacks, string path, string reason)
    {
        var measurement = Assert.Single(fallbacks.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal(path, measurement.Tags["url.path"]);
        Assert.Equal(reason, measurement.Tags["error.type"]);
    }

    /// <summary>The default fallback: the apology, the voicemail prompt, a recording archived by Recordings whose action is the fallback route, a hang-up.</summary>
    private static void AssertVoicemailFallback(XElement twiml)
    {
        Assert.Equal(["Say", "Say", "Record", "Hangup"], Verbs(twiml));
        Assert.Equal("We are sorry, we cannot take your call right now.", twiml.Elements().First().Value);
        var record = twiml.Element("Record")!;
        Assert.Equal(GatewayApplication.PublicBaseUrl + "/twilio/recording/status", record.Attribute("recordingStatusCallback")?.Value);
        Assert.Equal(GatewayApplication.PublicBaseUrl + "/twilio/voice/fallback", record.Attribute("action")?.Value);
        Assert.Equal("120", record.Attribute("maxLength")?.Value);
    }

    [Fact]
    public async Task Calls_answering_in_time_is_passed_through_untouched_and_so_is_its_4xx()
    {
        await using var app = Gateway();
        using var client = app.CreateClient();
        using var fallbacks = Fallbacks(app);

        using var answered = await client.SendAsync(Signed("/twilio/voice", Incoming()), TestContext.Current.CancellationToken);
        using var refused = await client.SendAsync(Signed("/twilio/voice/flow/ivr/refused", Incoming()), TestContext.Current.CancellationToken);

        Assert.Equal(["Say"], Verbs(await Twiml(answered)));
        Assert.Contains("Welcome from Calls.", await answered.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Calls says no", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(fallbacks.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Calls_not_answering_in_time_gets_the_fallback_within_the_timeout()
    {
        await using var app = Gateway();
        using var client = app.CreateClient();
        using var fallbacks = Fallbacks(app);

        var elapsed = Stopwatch.StartNew();
        using var response = await client.SendAsync(Signed("/twilio/voice/flow/ivr/stalled", Incoming(new KeyValuePair<string, string>("Digits", "1"))), TestContext.Current.CancellationToken);
        elapsed.Stop();

        AssertVoicemailFallback(await Twiml(response));
        Assert.True(elapsed.Elapsed >= Timeout - TimeSpan.FromMilliseconds(50), $"answered after {elapsed.Elapsed}, before the timeout");
        Assert.True(elapsed.Elapsed < Timeout + TimeSpan.FromSeconds(2), $"answered after {elapsed.Elapsed}, timeout {Timeout}");
        AssertCounted(fallbacks, "/twilio/voice/flow/ivr/stalled", "timeout");
    }

    [Fact]
    public async Task Calls_refusing_connections_gets_the_fallback_at_once()
    {
        await using var app = Gateway($"http://127.0.0.1:{FreePort.Next()}/");
        using var client = app.CreateClient();
        using var fallbacks = Fallbacks(app);

        var elapsed = Stopwatch.StartNew();
        using var response = await client.SendAsync(Signed("/twilio/voice", Incoming()), TestContext.Current.CancellationToken);
        elapsed.Stop();

        AssertVoicemailFallback(await Twiml(response));
        Assert.True(elapsed.Elapsed < Timeout, $"answered after {elapsed.Elapsed}: a refused connection need not wait for the timeout");
        AssertCounted(fallbacks, "/twilio/voice", "unavailable");
    }

    [Fact]
    public async Task A_5xx_of_calls_is_replaced_by_the_fallback()
    {
        await using var app = Gateway();
        using var client = app.CreateClient();
        using var fallbacks = Fallbacks(app);

        using var response = await client.SendAsync(Signed("/twilio/voice/flow/ivr/broken", Incoming()), TestContext.Current.CancellationToken);

        var twiml = await Twiml(response);
        AssertVoicemailFallback(twiml);
        Assert.DoesNotContain("Calls broke", twiml.ToString(), StringComparison.Ordinal);
        AssertCounted(fallbacks, "/twilio/voice/flow/ivr/broken", "error");
    }

    [Fact]
    public async Task A_5xx_of_calls_on_an_api_route_is_not_a_twiml_request_and_passes_untouched()
    {
        await using var app = Gateway();
        using var client = app.CreateClient();
        using var fallbacks = Fallbacks(app);
        client.DefaultRequestHeaders.Add("X-Api-Key", GatewayApplication.ApiKey);

        using var response = await client.GetAsync($"/api/calls/{CallSid}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Calls broke", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(fallbacks.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task With_a_forward_number_the_fallback_dials_it_instead_of_taking_a_voicemail()
    {
        await using var app = Gateway($"http://127.0.0.1:{FreePort.Next()}/")
            .With("Gateway:Fallback:ForwardTo", "+14155550199")
            .With("Gateway:Fallback:Message", "Sorry, connecting you to our team.");
        using var client = app.CreateClient();

        using var response = await client.SendAsync(Signed("/twilio/voice", Incoming()), TestContext.Current.CancellationToken);

        var twiml = await Twiml(response);
        Assert.Equal(["Say", "Dial", "Hangup"], Verbs(twiml));
        Assert.Equal("Sorry, connecting you to our team.", twiml.Element("Say")!.Value);
        Assert.Equal("+14155550199", twiml.Element("Dial")!.Value);
    }

    [Fact]
    public async Task Twilio_requesting_the_fallback_url_gets_the_fallback_without_calls()
    {
        await using var app = Gateway($"http://127.0.0.1:{FreePort.Next()}/");
        using var client = app.CreateClient();
        using var fallbacks = Fallbacks(app);

        using var response = await client.SendAsync(
            Signed("/twilio/voice/fallback", Incoming(new("ErrorCode", "11200"), new("ErrorUrl", GatewayApplication.PublicBaseUrl + "/twilio/voice"))),
            TestContext.Current.CancellationToken);

        AssertVoicemailFallback(await Twiml(response));
        AssertCounted(fallbacks, "/twilio/voice/fallback", "twilio-fallback");
    }

    [Fact]
    public async Task The_fallback_voicemails_action_is_answered_with_a_hang_up()
    {
        await using var app = Gateway();
        using var client = app.CreateClient();

        using var response = await client.SendAsync(
            Signed("/twilio/voice/fallback", Incoming(
                new("RecordingSid", "RE0123456789abcdef0123456789abcdef"), new("RecordingUrl", "https://api.twilio.com/recording"), new("RecordingDuration", "7"))),
            TestContext.Current.CancellationToken);

        Assert.Equal(["Hangup"], Verbs(await Twiml(response)));
    }

    [Fact]
    public async Task An_unsigned_request_to_the_fallback_url_is_refused_with_403()
    {
        await using var app = Gateway();
        using var client = app.CreateClient();

        using var response = await client.PostAsync(
            "/twilio/voice/fallback", new FormUrlEncodedContent(Incoming(new KeyValuePair<string, string>("ErrorCode", "11200"))), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("CallSid", "CA-not-a-sid", "ErrorCode", "11200")]
    [InlineData("CallSid", CallSid, "ErrorCode", "11200x")]
    [InlineData("CallSid", CallSid, "ErrorUrl", "/twilio/voice")]
    public async Task A_malformed_request_to_the_fallback_url_is_refused_with_400_naming_the_field(string name1, string value1, string name2, string value2)
    {
        await using var app = Gateway();
        using var client = app.CreateClient();
        List<KeyValuePair<string, string>> form = [new("AccountSid", AccountSid), new(name1, value1), new(name2, value2)];

        using var response = await client.SendAsync(Signed("/twilio/voice/fallback", form), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains(value1 == CallSid ? name2 : name1, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:15", "+14155550199")]
    [InlineData("00:00:05", "+1415555019")]
    public void A_timeout_of_twilios_15_seconds_or_a_forward_number_that_is_not_e164_is_refused(string timeout, string forwardTo)
    {
        var options = new TwimlFallbackOptions { Timeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture), ForwardTo = forwardTo };

        var errors = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        Assert.Single(errors);
    }
}
