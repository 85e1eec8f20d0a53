using System.Net;
using System.Net.WebSockets;
using System.Text;
using VoiceMesh.TwilioSimulator.MediaStreams;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// Bad input on Media Streams through the gateway: each bad connection ends cleanly with a reason, a good stream beside
/// them is unaffected, and the service holds no connection afterwards.
/// </summary>
public sealed class MediaStreamRejectionSpecs(MediaStreamMesh mesh) : IClassFixture<MediaStreamMesh>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task Send(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Ct);

    private static string Start(string streamSid, string callSid) =>
        $$$"""{"event":"start","sequenceNumber":"1","start":{"accountSid":"{{{VoiceMesh.Testing.Mesh.AccountSid}}}","streamSid":"{{{streamSid}}}","callSid":"{{{callSid}}}","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{}},"streamSid":"{{{streamSid}}}"}""";

    private static string Media(string streamSid, int chunk) =>
        $$"""{"event":"media","sequenceNumber":"{{chunk + 1}}","media":{"track":"inbound","chunk":"{{chunk}}","timestamp":"{{(chunk - 1) * 20}}","payload":"{{Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 160).ToArray())}}"},"streamSid":"{{streamSid}}"}""";

    private static async Task<(WebSocketCloseStatus? Status, string? Description)> ClosedByServer(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (result.CloseStatus, result.CloseStatusDescription);
                }
            }
        }
        catch (WebSocketException)
        {
            return (socket.CloseStatus, socket.CloseStatusDescription);
        }
    }

    [Fact]
    public async Task An_upgrade_without_a_valid_signature_gets_403_and_no_connection()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==");

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(mesh.GatewayMedia, Ct));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task Bad_streams_end_cleanly_while_a_good_one_beside_them_is_unaffected_and_nothing_leaks()
    {
        var good = mesh.Target();
        var goodRun = MediaStreamClient.Run(good, new AudioScript([new Silence(500), new SpeechBurst(3000), new Silence(2500)]), Ct);

        // Media before start: closed with the reason.
        using (var early = await mesh.Connect(cancellationToken: Ct))
        {
            await Send(early, """{"event":"connected","protocol":"Call","version":"1.0.0"}""");
            await Send(early, Media("MZ" + Guid.NewGuid().ToString("N"), 1));
            Assert.Equal((WebSocketCloseStatus.PolicyViolation, "media before start"), await ClosedByServer(early));
        }

        // Malformed JSON, an unknown event, a media frame with a bad payload: counted and skipped; the stream goes on.
        var noisySid = "MZ" + Guid.NewGuid().ToString("N");
        using (var noisy = await mesh.Connect(cancellationToken: Ct))
        {
            await Send(noisy, Start(noisySid, VoiceMesh.Testing.Mesh.NewCallSid()));
            await Send(noisy, Media(noisySid, 1));
            await Send(noisy, "{not json");
            await Send(noisy, """{"event":"hello","streamSid":"x"}""");
            await Send(noisy, Media(noisySid, 2).Replace("////", "!!!!", StringComparison.Ordinal));
            await Send(noisy, Media(noisySid, 3));
            await Send(noisy, """{"event":"stop","sequenceNumber":"9","stop":{},"streamSid":"x"}""");
            Assert.Equal(WebSocketCloseStatus.NormalClosure, (await ClosedByServer(noisy)).Status);
        }

        // An oversized message: closed as too big.
        var bigSid = "MZ" + Guid.NewGuid().ToString("N");
        using (var big = await mesh.Connect(cancellationToken: Ct))
        {
            await Send(big, Start(bigSid, VoiceMesh.Testing.Mesh.NewCallSid()));
            await Send(big, Media(bigSid, 1).Replace("\"payload\":\"", "\"payload\":\"" + new string('A', 40_000), StringComparison.Ordinal));
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, (await ClosedByServer(big)).Status);
        }

        // An abrupt disconnect after some frames.
        var dropped = mesh.Target() with { Paced = false, DropAfterFrames = 25 };
        var droppedRun = await MediaStreamClient.Run(dropped, new AudioScript([new Silence(2000)]), Ct);
        Assert.True(droppedRun.Dropped);

        // A duplicate of the good stream (same call, tracks and parameters, as a duplicated webhook opens): refused.
        var duplicate = mesh.Target(good.CallSid) with { Paced = false };
        var duplicateRun = await MediaStreamClient.Run(duplicate, new AudioScript([new Silence(1000)]), Ct);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, duplicateRun.CloseStatus);

        var goodResult = await goodRun;
        Assert.Equal(300, goodResult.SentFrames);
        var stream = await mesh.WaitForStream(good.StreamSid, MediaStreamMesh.IsClosed, TimeSpan.FromSeconds(30));
        Assert.Equal("stopped", stream.GetProperty("closeReason").GetString());
        var statistics = Assert.Single(stream.GetProperty("statistics").EnumerateArray());
        Assert.Equal((300L, 0L, 0L), (statistics.GetProperty("frames").GetInt64(), statistics.GetProperty("droppedFrames").GetInt64(), statistics.GetProperty("chunkGaps").GetInt64()));
        var speech = Assert.Single(stream.GetProperty("speech").EnumerateArray());
        Assert.Equal((500L, 3500L), (speech.GetProperty("startMs").GetInt64(), speech.GetProperty("stopMs").GetInt64()));

        var noisyStream = await mesh.WaitForStream(noisySid, MediaStreamMesh.IsClosed, TimeSpan.FromSeconds(10));
        Assert.Equal(3, noisyStream.GetProperty("malformedMessages").GetInt64());
        Assert.Equal(2, noisyStream.GetProperty("statistics")[0].GetProperty("frames").GetInt64());
        Assert.Equal("protocol-error", (await mesh.WaitForStream(bigSid, MediaStreamMesh.IsClosed, TimeSpan.FromSeconds(10))).GetProperty("closeReason").GetString());
        var droppedStream = await mesh.WaitForStream(dropped.StreamSid, MediaStreamMesh.IsClosed, TimeSpan.FromSeconds(10));
        Assert.Equal(("dropped", 25L), (droppedStream.GetProperty("closeReason").GetString(), droppedStream.GetProperty("statistics")[0].GetProperty("frames").GetInt64()));
        Assert.Equal("duplicate", (await mesh.WaitForStream(duplicate.StreamSid, MediaStreamMesh.IsClosed, TimeSpan.FromSeconds(10))).GetProperty("closeReason").GetString());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await mesh.LiveConnections(Ct) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal(0, await mesh.LiveConnections(Ct));
    }

    [Fact]
    public async Task An_unknown_or_malformed_stream_sid_gets_404_or_400()
    {
        using var unknown = await mesh.Mesh.Client.GetAsync($"/api/media-streams/MZ{Guid.NewGuid():N}", Ct);
        using var malformed = await mesh.Mesh.Client.GetAsync("/api/media-streams/not-a-sid", Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
    }
}
