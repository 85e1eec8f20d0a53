using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace VoiceMesh.MediaStreams.Protocol;

/// <summary>What an inbound text message is.</summary>
public enum InboundEvent
{
    Connected,
    Start,
    Media,
    Dtmf,
    Mark,
    Stop,

    /// <summary>Valid JSON whose <c>event</c> is none of Twilio's.</summary>
    Unknown,

    /// <summary>Not JSON, not an object, no <c>event</c>, or a <c>media</c> message with missing or invalid fields.</summary>
    Malformed,
}

/// <summary>
/// One inbound media frame: the decoded mu-law bytes live in <see cref="Payload"/> (rented from
/// <see cref="ArrayPool{T}.Shared"/>; whoever holds the frame last returns it), the first <see cref="Length"/> of them.
/// </summary>
internal readonly record struct MediaFrame(MediaTrack Track, long Chunk, long TimestampMs, byte[] Payload, int Length, long ArrivalTimestamp)
{
    public ReadOnlySpan<byte> Audio => Payload.AsSpan(0, Length);

    public void Release() => ArrayPool<byte>.Shared.Return(Payload);
}

/// <summary>
/// Reads an inbound message's kind in one pass of <see cref="Utf8JsonReader"/> and, for <c>media</c>, its fields too:
/// numbers parsed from the UTF-8 bytes and the payload base64-decoded straight into a pooled buffer, so a frame costs no
/// allocation beyond that buffer. Every other message (rare: once per stream or per digit) is deserialised with the
/// source-generated <see cref="MediaStreamJson"/>.
/// </summary>
internal static class InboundParser
{
    public static InboundEvent Read(ReadOnlySpan<byte> json, long arrivalTimestamp, out MediaFrame frame)
    {
        frame = default;
        byte[]? payload = null;
        var length = 0;
        var kind = InboundEvent.Malformed;
        var sawEvent = false;
        var track = MediaTrack.Inbound;
        long chunk = -1;
        long timestamp = -1;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return InboundEvent.Malformed;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return Fail(ref payload);
                    }

                    kind = Classify(ref reader);
                    sawEvent = true;
                }
                else if (reader.ValueTextEquals("media"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("track"u8))
                        {
                            reader.Read();
                            track = reader.ValueTextEquals("inbound"u8) ? MediaTrack.Inbound
                                : reader.ValueTextEquals("outbound"u8) ? MediaTrack.Outbound
                                : (MediaTrack)(-1);
                        }
                        else if (reader.ValueTextEquals("chunk"u8))
                        {
                            reader.Read();
                            chunk = Number(ref reader);
                        }
                        else if (reader.ValueTextEquals("timestamp"u8))
                        {
                            reader.Read();
                            timestamp = Number(ref reader);
                        }
                        else if (reader.ValueTextEquals("payload"u8))
                        {
                            reader.Read();
                            if (reader.TokenType != JsonTokenType.String || payload is not null || !Decode(ref reader, out payload, out length))
                            {
                                return Fail(ref payload);
                            }
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (!sawEvent || reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read())
            {
                return Fail(ref payload);
            }
        }
        catch (JsonException)
        {
            return Fail(ref payload);
        }

        if (kind != InboundEvent.Media)
        {
            Return(ref payload);
            return kind;
        }

        if (payload is null || chunk < 0 || timestamp < 0 || !Enum.IsDefined(track))
        {
            return Fail(ref payload);
        }

        frame = new MediaFrame(track, chunk, timestamp, payload, length, arrivalTimestamp);
        return InboundEvent.Media;
    }

    private static InboundEvent Classify(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("media"u8) ? InboundEvent.Media
        : reader.ValueTextEquals("start"u8) ? InboundEvent.Start
        : reader.ValueTextEquals("connected"u8) ? InboundEvent.Connected
        : reader.ValueTextEquals("dtmf"u8) ? InboundEvent.Dtmf
        : reader.ValueTextEquals("mark"u8) ? InboundEvent.Mark
        : reader.ValueTextEquals("stop"u8) ? InboundEvent.Stop
        : InboundEvent.Unknown;

    /// <summary>Twilio sends <c>chunk</c> and <c>timestamp</c> as strings of digits; a plain number is accepted too. -1 when neither.</summary>
    private static long Number(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out var number) && number >= 0 ? number : -1;
        }

        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return -1;
        }

        return Utf8Parser.TryParse(reader.ValueSpan, out long value, out var consumed) && consumed == reader.ValueSpan.Length && value >= 0
            ? value
            : -1;
    }

    private static bool Decode(ref Utf8JsonReader reader, out byte[]? payload, out int length)
    {
        var base64 = reader.ValueSpan;
        byte[]? unescaped = null;
        if (reader.ValueIsEscaped)
        {
            unescaped = ArrayPool<byte>.Shared.Rent(base64.Length);
            base64 = unescaped.AsSpan(0, reader.CopyString(unescaped));
        }

        payload = ArrayPool<byte>.Shared.Rent(Math.Max(1, Base64.GetMaxDecodedFromUtf8Length(base64.Length)));
        var status = Base64.DecodeFromUtf8(base64, payload, out _, out length);
        if (unescaped is not null)
        {
            ArrayPool<byte>.Shared.Return(unescaped);
        }

        return status == OperationStatus.Done;
    }

    private static InboundEvent Fail(ref byte[]? payload)
    {
        Return(ref payload);
        return InboundEvent.Malformed;
    }

    private static void Return(ref byte[]? payload)
    {
        if (payload is not null)
        {
            ArrayPool<byte>.Shared.Return(payload);
            payload = null;
        }
    }
}
