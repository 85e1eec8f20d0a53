using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account.Call;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.TwilioSimulator.Tests;

/// <summary>
/// <c>&lt;Start&gt;&lt;Stream&gt;</c>, <c>&lt;Connect&gt;&lt;Stream&gt;</c> and the Streams REST resource: the simulator opens the signed
/// Media Streams socket (real time) to the stream's URL on the webhook target, with the call's scripted audio.
/// </summary>
public sealed class StreamSpecs : IAsyncLifetime
{
    private const string StreamUrl = "wss://voice.example.com/media";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private SimulatorWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await SimulatorWorld.StartAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<T> Until<T>(Func<T?> probe, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(20, Ct);
        }

        throw new TimeoutException($"no {what} within {Patience}; sockets: {string.Join(" | ", _world.Receiver.Sockets.Select(s => string.Join(',', s.Events.Distinct())))}");
    }

    private static JsonElement Start(ReceivedSocket socket) =>
        JsonDocument.Parse(socket.Messages.First(m => m.Contains("\"start\"", StringComparison.Ordinal))).RootElement.GetProperty("start");

    [Fact]
    public async Task A_start_stream_opens_the_signed_socket_with_its_parameters_and_ends_with_stop_when_the_call_ends()
    {
        _world.Receiver.Serve("/stream", $"""
            <Response>
              <Start><Stream url="{StreamUrl}" name="live" track="both_tracks" statusCallback="/stream-status"><Parameter name="agent" value="a1"/></Stream></Start>
              <Pause length="10"/>
            </Response>
            """);
        var callSid = _world.Control.StartInboundCall(new InboundCallRequest
        {
            From = "+14155550100", To = SimulatorWorld.From, Url = SimulatorWorld.Url("/stream"),
            StreamAudio = [new StreamAudio { Kind = "tone", Milliseconds = 100 }, new StreamAudio { Kind = "dtmf", Digit = "5" }],
        });
        await _world.AdvanceAsync(TimeSpan.Zero);

        var socket = await Until(() => _world.Receiver.Sockets.FirstOrDefault(s => s.Events.Count(e => e == "media") >= 10), "media");
        Assert.Null(_world.Log(callSid).Verbs.Single(v => v.Verb == "Pause").Outcome);
        await _world.AdvanceAsync(TimeSpan.FromSeconds(10));
        await Until(() => socket.Closed ? socket : null, "close");

        Assert.True(socket.SignatureValid);
        Assert.Equal("/media", socket.Path);
        Assert.Equal(["connected", "start", "media"], socket.Events.Distinct().Take(3));
        Assert.Contains("dtmf", socket.Events);
        Assert.Equal("stop", socket.Events[^1]);
        var start = Start(socket);
        Assert.Equal((callSid, "a1"), (start.GetProperty("callSid").GetString(), start.GetProperty("customParameters").GetProperty("agent").GetString()));
        Assert.Equal(["inbound", "outbound"], start.GetProperty("tracks").EnumerateArray().Select(t => t.GetString()));
        var log = _world.Log(callSid);
        Assert.Equal(["Start", "Pause"], log.Verbs.Select(v => v.Verb));
        Assert.Equal($"started {start.GetProperty("streamSid").GetString()}", log.Verbs[0].Outcome);

        await Until(() => _world.Receiver.At("/stream-status").Count == 2 ? "" : null, "stream status callbacks");
        var callbacks = _world.Receiver.At("/stream-status");
        Assert.All(callbacks, c => Assert.True(c.SignatureValid));
        Assert.Equal(["stream-started", "stream-stopped"], callbacks.Select(c => c["StreamEvent"]));
        Assert.All(callbacks, c => Assert.Equal(("live", callSid, start.GetProperty("streamSid").GetString()), (c["StreamName"], c["CallSid"], c["StreamSid"])));
    }

    [Fact]
    public async Task A_connect_stream_blocks_the_twiml_until_the_server_closes_the_socket()
    {
        _world.Receiver.Serve("/connect", $"""<Response><Connect><Stream url="{StreamUrl}"/></Connect><Say>After the stream</Say></Response>""");
        var callSid = _world.CallIn("/connect");
        await _world.AdvanceAsync(TimeSpan.Zero);

        await Until(() => _world.Receiver.Sockets.FirstOrDefault(s => s.Events.Contains("media")), "a connect stream");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["Connect"], _world.Log(callSid).Verbs.Select(v => v.Verb));

        await _world.Receiver.CloseSocketsAsync();
        await Until(() => _world.Log(callSid).Verbs.Any(v => v.Verb == "Say") ? "" : null, "the verb after <Connect>");

        var connect = _world.Log(callSid).Verbs[0];
        Assert.Equal("closed", connect.Outcome);
    }

    [Theory]
    [InlineData("<Stream/>")]
    [InlineData("<Stream url=\"ws://voice.example.com/media\"/>")]
    [InlineData("<Stream url=\"wss://voice.example.com/media\" track=\"sideways\"/>")]
    [InlineData("<Stream url=\"wss://voice.example.com/media\"><Say>no</Say></Stream>")]
    [InlineData("<Stream url=\"wss://voice.example.com/media\"><Parameter value=\"nameless\"/></Stream>")]
    [InlineData("<Dial>+14155550100</Dial>")]
    public async Task A_malformed_start_stream_is_a_schema_error_12200(string inside)
    {
        _world.Receiver.Serve("/bad", $"<Response><Start>{inside}</Start><Say>never</Say></Response>");
        var callSid = _world.CallIn("/bad");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(12200, _world.Log(callSid).ErrorCode);
        Assert.Empty(_world.Receiver.Sockets);
    }

    [Fact]
    public async Task A_connect_stream_takes_only_the_inbound_track()
    {
        _world.Receiver.Serve("/bad", $"""<Response><Connect><Stream url="{StreamUrl}" track="both_tracks"/></Connect></Response>""");
        var callSid = _world.CallIn("/bad");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(12200, _world.Log(callSid).ErrorCode);
    }

    [Fact]
    public async Task The_streams_resource_starts_a_stream_on_a_live_call_and_stops_it_by_name()
    {
        _world.Receiver.Serve("/hold", "<Response><Pause length=\"60\"/></Response>");
        var callSid = _world.CallIn("/hold");
        await _world.AdvanceAsync(TimeSpan.Zero);

        var created = await StreamResource.CreateAsync(
            pathCallSid: callSid, url: new Uri(StreamUrl), name: "rest", parameter1Name: "k", parameter1Value: "v", client: _world.Twilio);
        var socket = await Until(() => _world.Receiver.Sockets.FirstOrDefault(s => s.Events.Contains("media")), "the REST stream");
        var stopped = await StreamResource.UpdateAsync(callSid, "rest", StreamResource.UpdateStatusEnum.Stopped, client: _world.Twilio);
        await Until(() => socket.Closed ? socket : null, "close");

        Assert.Matches("^MZ[0-9a-f]{32}$", created.Sid);
        Assert.Equal((StreamResource.StatusEnum.InProgress, "rest"), (created.Status, created.Name));
        Assert.Equal((created.Sid, StreamResource.StatusEnum.Stopped), (stopped.Sid, stopped.Status));
        Assert.Equal("v", Start(socket).GetProperty("customParameters").GetProperty("k").GetString());
        Assert.Equal("stop", socket.Events[^1]);
    }

    [Theory]
    [InlineData("", 400, 20001)]
    [InlineData("Url=https%3A%2F%2Fvoice.example.com%2Fmedia", 400, 21205)]
    [InlineData("Url=wss%3A%2F%2Fvoice.example.com%2Fmedia&Track=sideways", 400, 20001)]
    [InlineData("Url=wss%3A%2F%2Fvoice.example.com%2Fmedia&StatusCallbackMethod=PUT", 400, 20001)]
    [InlineData("Url=wss%3A%2F%2Fvoice.example.com%2Fmedia&Parameter100.Name=x", 400, 20001)]
    [InlineData("Url=wss%3A%2F%2Fvoice.example.com%2Fmedia&Parameter1.Value=orphan", 400, 20001)]
    public async Task A_malformed_streams_create_gets_twilios_error(string form, int status, int code)
    {
        _world.Receiver.Serve("/hold", "<Response><Pause length=\"60\"/></Response>");
        var callSid = _world.CallIn("/hold");
        await _world.AdvanceAsync(TimeSpan.Zero);

        using var response = await Post($"Calls/{callSid}/Streams.json", form);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(code, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetInt32());
        Assert.Empty(_world.Receiver.Sockets);
    }

    [Fact]
    public async Task Streams_on_an_ended_or_unknown_call_or_an_unknown_stream_are_refused()
    {
        _world.Receiver.Serve("/short", "<Response><Hangup/></Response>");
        var ended = _world.CallIn("/short");
        await _world.AdvanceAsync(TimeSpan.FromSeconds(1));

        var notLive = await Assert.ThrowsAsync<ApiException>(() => StreamResource.CreateAsync(pathCallSid: ended, url: new Uri(StreamUrl), client: _world.Twilio));
        var unknownCall = await Assert.ThrowsAsync<ApiException>(() =>
            StreamResource.CreateAsync(pathCallSid: "CA" + new string('0', 32), url: new Uri(StreamUrl), client: _world.Twilio));
        var unknownStream = await Assert.ThrowsAsync<ApiException>(() =>
            StreamResource.UpdateAsync(ended, "nope", StreamResource.UpdateStatusEnum.Stopped, client: _world.Twilio));
        using var badStatus = await Post($"Calls/{ended}/Streams/nope.json", "Status=paused");

        Assert.Equal(21220, notLive.Code);
        Assert.Equal((404, 20404), (unknownCall.Status, unknownCall.Code));
        Assert.Equal(20404, unknownStream.Code);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Theory]
    [InlineData("""{"kind":"hum","milliseconds":100}""")]
    [InlineData("""{"kind":"silence","milliseconds":0}""")]
    [InlineData("""{"kind":"dtmf","digit":"x"}""")]
    public async Task Malformed_stream_audio_for_an_inbound_call_is_refused(string step)
    {
        using var http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
        using var body = new StringContent(
            $$"""{"from":"+14155550100","to":"{{SimulatorWorld.From}}","url":"{{SimulatorWorld.Url("/x")}}","streamAudio":[{{step}}]}""", Encoding.UTF8, "application/json");

        using var response = await http.PostAsync(new Uri("/_sim/calls/inbound", UriKind.Relative), body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("streamAudio", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> Post(string path, string form)
    {
        using var http = new HttpClient { BaseAddress = _world.Host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/2010-04-01/Accounts/{SimulatorWorld.AccountSid}/{path}", UriKind.Relative))
        {
            Content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{SimulatorWorld.AccountSid}:{SimulatorWorld.AuthToken}")));
        return await http.SendAsync(request, Ct);
    }
}
