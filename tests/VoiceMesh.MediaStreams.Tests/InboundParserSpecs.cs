using System.Text;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class InboundParserSpecs
{
    private static readonly string Payload = Convert.ToBase64String(Enumerable.Range(0, 160).Select(i => (byte)i).ToArray());

    private static string Media(string track = "inbound", string chunk = "\"7\"", string timestamp = "\"120\"", string? payload = null) =>
        $$"""{"event":"media","sequenceNumber":"9","media":{"track":"{{track}}","chunk":{{chunk}},"timestamp":{{timestamp}},"payload":"{{payload ?? Payload}}"},"streamSid":"MZ0123456789abcdef0123456789abcdef"}""";

    private static InboundEvent Read(string json, out MediaFrame frame) => InboundParser.Read(Encoding.UTF8.GetBytes(json), 42, out frame);

    [Fact]
    public void A_media_frame_is_read_with_its_track_chunk_timestamp_and_decoded_payload()
    {
        Assert.Equal(InboundEvent.Media, Read(Media(track: "outbound"), out var frame));

        Assert.Equal(MediaTrack.Outbound, frame.Track);
        Assert.Equal(7, frame.Chunk);
        Assert.Equal(120, frame.TimestampMs);
        Assert.Equal(42, frame.ArrivalTimestamp);
        Assert.Equal(Enumerable.Range(0, 160).Select(i => (byte)i).ToArray(), frame.Audio.ToArray());
        frame.Release();
    }

    [Fact]
    public void An_escaped_payload_is_unescaped_before_it_is_decoded()
    {
        var escaped = Payload.Replace("/", "\\/", StringComparison.Ordinal);

        Assert.Equal(InboundEvent.Media, Read(Media(payload: escaped), out var frame));
        Assert.Equal(160, frame.Length);
        frame.Release();
    }

    [Theory]
    [InlineData("""{"event":"connected","protocol":"Call","version":"1.0.0"}""", InboundEvent.Connected)]
    [InlineData("""{"event":"start","sequenceNumber":"1","start":{"tracks":["inbound"]},"streamSid":"MZ1"}""", InboundEvent.Start)]
    [InlineData("""{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}""", InboundEvent.Dtmf)]
    [InlineData("""{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"clip-1"}}""", InboundEvent.Mark)]
    [InlineData("""{"event":"stop","sequenceNumber":"5","stop":{"accountSid":"AC1","callSid":"CA1"},"streamSid":"MZ1"}""", InboundEvent.Stop)]
    [InlineData("""{"event":"hello"}""", InboundEvent.Unknown)]
    public void Every_twilio_event_is_recognised_and_anything_else_is_unknown(string json, InboundEvent expected) =>
        Assert.Equal(expected, Read(json, out _));

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"event\":\"media\"")]
    [InlineData("[1,2]")]
    [InlineData("{\"streamSid\":\"MZ1\"}")]
    [InlineData("{\"event\":5}")]
    [InlineData("{\"event\":\"stop\"} {\"event\":\"stop\"}")]
    public void Text_that_is_not_one_json_object_with_an_event_is_malformed(string json) =>
        Assert.Equal(InboundEvent.Malformed, Read(json, out _));

    [Theory]
    [InlineData("sideways", "\"1\"", "\"0\"", null)]
    [InlineData("inbound", "\"one\"", "\"0\"", null)]
    [InlineData("inbound", "\"1\"", "\"-20\"", null)]
    [InlineData("inbound", "\"1\"", "\"0\"", "!!!not-base64!!!")]
    public void A_media_frame_with_an_invalid_field_is_malformed(string track, string chunk, string timestamp, string? payload) =>
        Assert.Equal(InboundEvent.Malformed, Read(Media(track, chunk, timestamp, payload), out _));

    [Fact]
    public void Reading_a_media_frame_allocates_nothing_but_the_pooled_payload_buffer()
    {
        var json = Encoding.UTF8.GetBytes(Media());
        for (var i = 0; i < 100; i++)
        {
            InboundParser.Read(json, 0, out var warm);
            warm.Release();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            InboundParser.Read(json, 0, out var frame);
            frame.Release();
        }

        var perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / 10_000.0;
        Assert.True(perFrame < 1, $"{perFrame:F1} bytes allocated per frame");
    }
}
