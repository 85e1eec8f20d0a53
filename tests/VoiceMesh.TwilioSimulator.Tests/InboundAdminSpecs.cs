using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace VoiceMesh.TwilioSimulator.Tests;

public sealed class InboundAdminSpecs : IAsyncLifetime
{
    private SimulatorWorld _world = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _world = await SimulatorWorld.StartAsync();
        _http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _world.DisposeAsync();
    }

    [Fact]
    public async Task Posting_an_inbound_call_returns_its_sid_and_the_twiml_log_shows_the_verbs_as_json()
    {
        _world.Receiver.Serve("/admin", "<Response><Gather input=\"speech\" action=\"/admin/heard\"><Say voice=\"alice\">Welcome</Say></Gather></Response>");
        _world.Receiver.Serve("/admin/heard", "<Response><Hangup/></Response>");
        var body = $$"""
            {"from":"+14155550100","to":"+15005550006","accountSid":null,"url":"{{SimulatorWorld.Url("/admin")}}","method":null,
             "callerInput":[{"speech":"sales please","confidence":0.92},{"silence":true}],"recordSeconds":3,"hangUpAfterSeconds":null}
            """;

        using var created = await _http.PostAsync(new Uri("/_sim/calls/inbound", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var callSid = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("callSid").GetString();
        await _world.AdvanceAsync(TimeSpan.FromMinutes(1));
        using var log = await _http.GetAsync(new Uri($"/_sim/calls/{callSid}/twiml", UriKind.Relative), TestContext.Current.CancellationToken);
        var json = await log.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Matches("^CA[0-9a-f]{32}$", callSid);
        Assert.Equal(HttpStatusCode.OK, log.StatusCode);
        Assert.Equal((callSid, "completed", JsonValueKind.Null), (json.GetProperty("callSid").GetString(), json.GetProperty("status").GetString(), json.GetProperty("errorCode").ValueKind));
        var verbs = json.GetProperty("verbs").EnumerateArray().ToList();
        Assert.Equal(["Gather", "Say", "Hangup"], verbs.Select(v => v.GetProperty("verb").GetString()));
        Assert.Equal(("speech sales please", "Welcome", "alice"), (verbs[0].GetProperty("outcome").GetString(), verbs[1].GetProperty("text").GetString(), verbs[1].GetProperty("attributes").GetProperty("voice").GetString()));
        Assert.Equal(SimulatorWorld.Url("/admin"), verbs[0].GetProperty("documentUrl").GetString());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), verbs[0].GetProperty("time").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("{\"from\":\"+14155550100\"")]
    [InlineData("{\"from\":\"+14155550100\",\"url\":\"https://voice.example.com/x\"}")]
    [InlineData("{\"to\":\"+15005550006\",\"url\":\"https://voice.example.com/x\"}")]
    [InlineData("{\"from\":\"+14155550100\",\"to\":\"+15005550006\",\"url\":\"ftp://voice.example.com/x\"}")]
    public async Task A_bad_inbound_call_request_is_400(string body)
    {
        using var response = await _http.PostAsync(new Uri("/_sim/calls/inbound", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_number_without_a_voice_url_and_an_unknown_call_are_404()
    {
        using var call = await _http.PostAsJsonAsync(new Uri("/_sim/calls/inbound", UriKind.Relative), new { from = "+14155550100", to = "+14155550110" }, TestContext.Current.CancellationToken);
        using var log = await _http.GetAsync(new Uri("/_sim/calls/CA00000000000000000000000000000000/twiml", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, call.StatusCode);
        Assert.Equal("application/problem+json", call.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, log.StatusCode);
        Assert.Throws<KeyNotFoundException>(() => _world.Control.StartInboundCall(new Admin.InboundCallRequest { From = "+14155550100", To = "+14155550110" }));
        Assert.Throws<ArgumentException>(() => _world.Control.StartInboundCall(new Admin.InboundCallRequest { To = "+14155550110" }));
    }
}
