using System.Text.Json.Serialization;

namespace VoiceMesh.MediaStreams.Protocol;

/// <summary>Twilio's <c>start</c> (REFERENCE §5.1): sent once, before any media.</summary>
public sealed record StartMessage(
    [property: JsonPropertyName("streamSid")] string? StreamSid,
    [property: JsonPropertyName("sequenceNumber")] string? SequenceNumber,
    [property: JsonPropertyName("start")] StartPayload? Start);

public sealed record StartPayload(
    [property: JsonPropertyName("accountSid")] string? AccountSid,
    [property: JsonPropertyName("streamSid")] string? StreamSid,
    [property: JsonPropertyName("callSid")] string? CallSid,
    [property: JsonPropertyName("tracks")] IReadOnlyList<string>? Tracks,
    [property: JsonPropertyName("mediaFormat")] MediaFormat? MediaFormat,
    [property: JsonPropertyName("customParameters")] IReadOnlyDictionary<string, string>? CustomParameters);

public sealed record MediaFormat(
    [property: JsonPropertyName("encoding")] string? Encoding,
    [property: JsonPropertyName("sampleRate")] int SampleRate,
    [property: JsonPropertyName("channels")] int Channels);

/// <summary>Twilio's <c>dtmf</c>: a digit the caller pressed.</summary>
public sealed record DtmfMessage(
    [property: JsonPropertyName("streamSid")] string? StreamSid,
    [property: JsonPropertyName("dtmf")] DtmfPayload? Dtmf);

public sealed record DtmfPayload(
    [property: JsonPropertyName("track")] string? Track,
    [property: JsonPropertyName("digit")] string? Digit);

/// <summary>A <c>mark</c>: Twilio's echo of one we sent, or ours to send.</summary>
public sealed record MarkMessage(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("streamSid")] string? StreamSid,
    [property: JsonPropertyName("mark")] MarkPayload? Mark);

public sealed record MarkPayload([property: JsonPropertyName("name")] string? Name);

/// <summary>Twilio's <c>stop</c>: the last message of a stream.</summary>
public sealed record StopMessage(
    [property: JsonPropertyName("streamSid")] string? StreamSid,
    [property: JsonPropertyName("stop")] StopPayload? Stop);

public sealed record StopPayload(
    [property: JsonPropertyName("accountSid")] string? AccountSid,
    [property: JsonPropertyName("callSid")] string? CallSid);

/// <summary>Outbound <c>media</c> (bidirectional streams): base64 mu-law, no header.</summary>
public sealed record OutboundMediaMessage(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("streamSid")] string StreamSid,
    [property: JsonPropertyName("media")] OutboundMediaPayload Media);

public sealed record OutboundMediaPayload([property: JsonPropertyName("payload")] string Payload);

/// <summary>Outbound <c>clear</c>: flushes the audio Twilio buffered and returns its pending marks.</summary>
public sealed record ClearMessage(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("streamSid")] string StreamSid);

/// <summary>Source-generated (de)serialisation of every Media Streams message but inbound <c>media</c>, which <see cref="InboundParser"/> reads without allocating.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartMessage))]
[JsonSerializable(typeof(DtmfMessage))]
[JsonSerializable(typeof(MarkMessage))]
[JsonSerializable(typeof(StopMessage))]
[JsonSerializable(typeof(OutboundMediaMessage))]
[JsonSerializable(typeof(ClearMessage))]
public sealed partial class MediaStreamJson : JsonSerializerContext;
