using System.Text.Json;
using Twilio.Rest.Api.V2010.Account;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.Admin;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Streams in the call lifecycle, end to end: the simulator runs an inbound call's <c>&lt;Start&gt;&lt;Stream&gt;</c>, opens
/// the signed WebSocket through the gateway to MediaStreams, which reports the stream to Calls; <c>GET /api/calls/{sid}</c>
/// lists the call's streams. A stream whose socket the simulator drops mid-call is restarted through Twilio's Streams
/// REST resource and the gap is in the call's lifecycle; a duplicate stream is refused without disturbing the first.
/// </summary>
public sealed class MediaStreamCallSpecs(MediaStreamCallSpecs.Numbers fixture) : IClassFixture<MediaStreamCallSpecs.Numbers>
{
    private const string StreamUrl = "wss://voice.example.test/twilio/media";
    private const string StatusCallback = Mesh.PublicBaseUrl + "/twilio/stream/status";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private readonly Mesh _mesh = fixture.Mesh;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Stream(string parameters, string track = "inbound_track") =>
        $"""<Stream url="{StreamUrl}" track="{track}" statusCallback="{StatusCallback}">{parameters}</Stream>""";

    private static JsonElement[] Streams(JsonElement call) => [.. call.GetProperty("streams").EnumerateArray()];

    private static string? Text(JsonElement element, string name) =>
        element.GetProperty(name).ValueKind == JsonValueKind.Null ? null : element.GetProperty(name).GetString();

    private Task<CallResource> HangUp(string callSid) =>
        CallResource.UpdateAsync(callSid, status: CallResource.UpdateStatusEnum.Completed, client: _mesh.Simulator.CreateTwilioClient());

    [Fact]
    public async Task A_start_stream_dropped_mid_call_is_restarted_through_the_streams_resource_and_the_gap_is_in_the_call()
    {
        var callSid = _mesh.Simulator.Control.StartInboundCall(new InboundCallRequest
        {
            From = "+14155550100",
            To = fixture.Number,
            Twiml = $"""<Response><Start>{Stream("""<Parameter name="agent" value="a1"/>""")}</Start><Pause length="6000"/></Response>""",
            StreamAudio = [new StreamAudio { Kind = "speech", Milliseconds = 600 }],
            DropFirstStreamAfterFrames = 25,
        });

        var restarted = await _mesh.WaitForCall(callSid, c => Streams(c) is [var first, { } second]
            && Text(first, "restartedAs") == Text(second, "streamSid") && Text(second, "startedAt") is not null, Patience);
        await HangUp(callSid);
        var call = await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed"
            && Streams(c).All(s => Text(s, "stopReason") is not null), Patience);

        var streams = Streams(call);
        Assert.Equal(2, streams.Length);
        Assert.Equal(("dropped", "stopped"), (Text(streams[0], "stopReason"), Text(streams[1], "stopReason")));
        Assert.Equal("a1", streams[1].GetProperty("customParameters").GetProperty("agent").GetString());
        Assert.Equal(["inbound"], streams[1].GetProperty("tracks").EnumerateArray().Select(t => t.GetString()));
        var gap = Assert.Single(call.GetProperty("streamGaps").EnumerateArray());
        Assert.Equal((Text(streams[0], "streamSid"), Text(streams[1], "streamSid")), (Text(gap, "streamSid"), Text(gap, "restartedAs")));
        Assert.Equal(streams[1].GetProperty("startedAt").GetDateTimeOffset(), gap.GetProperty("to").GetDateTimeOffset());
        Assert.True(gap.GetProperty("gapMs").GetInt64() > 0);
        Assert.Equal(Streams(restarted).Length, streams.Length);

        // Restarted once, through the Streams resource, for this call; the second stream ended with stop and is not restarted.
        var creates = _mesh.Simulator.Control.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith($"/Calls/{callSid}/Streams.json", StringComparison.Ordinal)).ToList();
        var create = Assert.Single(creates);
        Assert.Equal((StreamUrl, "inbound_track", "agent", "a1"), (create.Form["Url"][0], create.Form["Track"][0], create.Form["Parameter1.Name"][0], create.Form["Parameter1.Value"][0]));
    }

    [Fact]
    public async Task A_duplicate_stream_is_refused_without_disturbing_the_first_while_a_stream_of_other_tracks_is_kept()
    {
        var leg = """<Parameter name="leg" value="a"/>""";
        var callSid = _mesh.Simulator.Control.StartInboundCall(new InboundCallRequest
        {
            From = "+14155550100",
            To = fixture.Number,
            Twiml = $"""<Response><Start>{Stream(leg)}{Stream(leg)}{Stream(leg, "both_tracks")}</Start><Pause length="6000"/></Response>""",
        });

        // The call is hung up once both kept streams have started and the duplicate was refused: a call that ran out on its
        // own could end, on a busy machine, before a stream's socket was even open.
        await _mesh.WaitForCall(callSid, c => Streams(c) is { Length: 3 } s
            && s.Count(e => Text(e, "startedAt") is not null) == 2 && s.Any(e => Text(e, "stopReason") == "duplicate"), Patience);
        await HangUp(callSid);
        var call = await _mesh.WaitForCall(callSid, c => c.GetProperty("status").GetString() == "completed"
            && Streams(c) is { Length: 3 } s && s.All(e => Text(e, "stopReason") is not null), Patience);

        var streams = Streams(call);
        var duplicate = Assert.Single(streams, s => Text(s, "stopReason") == "duplicate");
        Assert.Null(Text(duplicate, "startedAt"));
        Assert.Equal(2, streams.Count(s => Text(s, "stopReason") == "stopped" && Text(s, "startedAt") is not null));
        Assert.Contains(streams, s => s.GetProperty("tracks").GetArrayLength() == 2);
        Assert.Empty(call.GetProperty("streamGaps").EnumerateArray());
        Assert.DoesNotContain(_mesh.Simulator.Control.Requests, r => r.Path.EndsWith($"/Calls/{callSid}/Streams.json", StringComparison.Ordinal));
    }

    public sealed class Numbers(TestInfrastructure infrastructure) : MeshFixture(infrastructure)
    {
        public string Number { get; private set; } = "";

        /// <summary>A number whose status callback is the gateway's, so Calls follows its calls.</summary>
        protected override async Task Prepare()
        {
            var bought = await IncomingPhoneNumberResource.CreateAsync(
                areaCode: "415",
                voiceUrl: new Uri(Mesh.PublicBaseUrl + "/twilio/voice"),
                statusCallback: new Uri(Mesh.PublicBaseUrl + "/twilio/voice/status"),
                client: Mesh.Simulator.CreateTwilioClient());
            Number = bought.PhoneNumber.ToString();
        }
    }
}
