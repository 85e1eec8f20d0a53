using System.Text.Json;
using VoiceMesh.Testing;
using VoiceMesh.TwilioSimulator.MediaStreams;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// 30 s of scripted caller audio (silence, speech-like bursts, a tone, DTMF) streamed by the simulator in real time,
/// signed, through the gateway and YARP to the MediaStreams service (a process on real PostgreSQL and RabbitMQ): the
/// events it stores and publishes match the script.
/// </summary>
[Collection(RealTimeMedia.Name)]
public sealed class MediaStreamEndToEndSpecs(MediaStreamMesh mesh) : IClassFixture<MediaStreamMesh>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly AudioScript Script = new(
    [
        new Silence(1000), new SpeechBurst(2000), new Silence(1500), new Digit('1'), new Digit('2'), new Tone(800), new Silence(2000),
        new SpeechBurst(3000), new Digit('#'), new Silence(6000), new SpeechBurst(2500), new Silence(1000), new Digit('9'),
        new SpeechBurst(4000), new Silence(6200),
    ]);

    [Fact]
    public async Task A_30_second_scripted_stream_yields_speech_boundaries_within_60_ms_every_digit_and_exact_statistics()
    {
        using var management = TestInfrastructure.ManagementClient(mesh.Infrastructure.RabbitMqManagementUri);
        QueueProbe probe = null!;
        foreach (var contract in new[] { "MediaStreamStarted", "SpeechStarted", "SpeechStopped", "DtmfReceived", "SilenceDetected", "MediaStreamStopped" })
        {
            probe = await QueueProbe.Bind(management, mesh.VirtualHost, $"VoiceMesh.Contracts.MediaStreams:{contract}", "media-events-probe", declareExchange: true);
        }

        var target = mesh.Target() with { CustomParameters = new Dictionary<string, string> { ["tenant"] = "acme" } };

        var run = await MediaStreamClient.Run(target, Script, Ct);

        Assert.Equal(1500, run.SentFrames);
        var stream = await mesh.WaitForStream(target.StreamSid, MediaStreamMesh.IsClosed, TimeSpan.FromSeconds(30));
        Assert.Equal(target.CallSid, stream.GetProperty("callSid").GetString());
        Assert.Equal("stopped", stream.GetProperty("closeReason").GetString());
        Assert.Equal("acme", stream.GetProperty("customParameters").GetProperty("tenant").GetString());

        var speech = stream.GetProperty("speech").EnumerateArray().Select(s => (s.GetProperty("startMs").GetInt64(), s.GetProperty("stopMs").GetInt64())).ToList();
        Assert.Equal(Script.SpeechSegments.Count, speech.Count);
        foreach (var ((expectedStart, expectedStop), (start, stop)) in Script.SpeechSegments.Zip(speech))
        {
            Assert.InRange(start, expectedStart - 60, expectedStart + 60);
            Assert.InRange(stop, expectedStop - 60, expectedStop + 60);
        }

        Assert.Equal(
            Script.Digits.Select(d => (d.Digit.ToString(), d.AfterMs)),
            stream.GetProperty("digits").EnumerateArray().Select(d => (d.GetProperty("digit").GetString()!, d.GetProperty("offsetMs").GetInt64())));
        Assert.Equal(2, stream.GetProperty("silences").GetArrayLength());

        var statistics = Assert.Single(stream.GetProperty("statistics").EnumerateArray());
        Assert.Equal(
            ("inbound", 1500L, 0L, 0L, 0L, 0L, 30_000L),
            (statistics.GetProperty("track").GetString(), statistics.GetProperty("frames").GetInt64(), statistics.GetProperty("droppedFrames").GetInt64(),
                statistics.GetProperty("chunkGaps").GetInt64(), statistics.GetProperty("timestampGaps").GetInt64(), statistics.GetProperty("lateFrames").GetInt64(),
                statistics.GetProperty("audioMs").GetInt64()));
        Assert.Equal(0, stream.GetProperty("malformedMessages").GetInt64());

        var published = await Published(probe, 1 + (2 * Script.SpeechSegments.Count) + Script.Digits.Count + 2 + 1);
        Assert.Equal(Script.SpeechSegments.Count, published.Count(m => m.Type == "SpeechStarted"));
        Assert.Equal(Script.Digits.Select(d => d.Digit.ToString()), published.Where(m => m.Type == "DtmfReceived").Select(m => m.Body.GetProperty("digit").GetString()));
        var stopped = Assert.Single(published, m => m.Type == "MediaStreamStopped").Body;
        Assert.Equal(1500, stopped.GetProperty("tracks")[0].GetProperty("frames").GetInt64());
        Assert.All(published, m => Assert.Equal(target.CallSid, m.Body.GetProperty("callSid").GetString()));
        Assert.Equal(0, await mesh.LiveConnections(Ct));
    }

    private static async Task<List<(string Type, JsonElement Body)>> Published(QueueProbe probe, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<(string, JsonElement)> messages = [];
        while (DateTime.UtcNow < deadline)
        {
            messages = [.. (await probe.Get(100, remove: false, Ct)).Select(Envelope)];
            if (messages.Count >= expected)
            {
                break;
            }

            await Task.Delay(250, Ct);
        }

        Assert.Equal(expected, messages.Count);
        return messages;
    }

    private static (string Type, JsonElement Body) Envelope(JsonElement delivered)
    {
        var envelope = JsonSerializer.Deserialize<JsonElement>(delivered.GetProperty("payload").GetString()!);
        var type = envelope.GetProperty("messageType")[0].GetString()!;
        return (type[(type.LastIndexOf(':') + 1)..], envelope.GetProperty("message"));
    }
}
