using System.Buffers.Binary;

namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>A stretch of a recording's audio, in frames (one sample per channel): the tone, or silence.</summary>
internal sealed record AudioSegment(long Frames, bool Silent);

/// <summary>
/// A recording's media: a RIFF/WAVE file, 8 kHz 16-bit PCM, mono or stereo, whose bytes are computed on demand from
/// their position (<see cref="Fill"/>), so a file of any size is served without being held in memory.
/// The tone is a quiet 440 Hz sine on the first channel and 660 Hz on the second; silent segments (pauses with
/// <c>PauseBehavior=silence</c>) are zero samples. Positions past <see cref="Length"/> continue the tone, which is
/// how a body longer than its header is produced.
/// </summary>
internal sealed class WavAudio
{
    public const int SampleRate = 8000;
    public const int HeaderLength = 44;
    private const int BytesPerSample = 2;

    /// <summary>One second of the tone's sample bytes, mono and stereo: the tone repeats every second.</summary>
    private static readonly byte[][] Periods = [Period(1), Period(2)];

    private readonly AudioSegment[] _segments;
    private readonly long[] _segmentStarts;
    private readonly byte[] _header;

    public WavAudio(int channels, IEnumerable<AudioSegment> segments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 2);
        Channels = channels;
        _segments = [.. segments.Where(s => s.Frames > 0)];
        _segmentStarts = new long[_segments.Length];
        long frames = 0;
        for (var i = 0; i < _segments.Length; i++)
        {
            _segmentStarts[i] = frames;
            frames += _segments[i].Frames;
        }

        Frames = frames;
        _header = Header(channels, DataLength);
    }

    public int Channels { get; }

    /// <summary>Bytes per frame: 2 (mono) or 4 (stereo).</summary>
    public int BlockAlign => Channels * BytesPerSample;

    public long Frames { get; }

    public long DataLength => Frames * BlockAlign;

    /// <summary>The file's size: header plus samples.</summary>
    public long Length => HeaderLength + DataLength;

    /// <summary>Whole seconds of audio, rounded (Twilio reports recording durations in seconds).</summary>
    public int DurationSeconds => (int)Math.Round((double)Frames / SampleRate, MidpointRounding.AwayFromZero);

    /// <summary>A tone of whole seconds.</summary>
    public static WavAudio Tone(int seconds, int channels = 1) => new(channels, [new AudioSegment(Math.Max(0, seconds) * (long)SampleRate, false)]);

    /// <summary>A tone whose file is exactly <paramref name="length"/> bytes; the samples must fill whole frames.</summary>
    public static WavAudio OfLength(long length, int channels) =>
        length < HeaderLength || (length - HeaderLength) % (channels * BytesPerSample) != 0
            ? throw new ArgumentOutOfRangeException(
                nameof(length), length, $"A {channels}-channel WAV file is {HeaderLength} bytes plus a multiple of {channels * BytesPerSample}.")
            : new WavAudio(channels, [new AudioSegment((length - HeaderLength) / (channels * BytesPerSample), false)]);

    /// <summary>Writes the file's bytes from <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    public void Fill(long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var written = 0;
        if (offset < HeaderLength)
        {
            var header = _header.AsSpan((int)offset, (int)Math.Min(HeaderLength - offset, destination.Length));
            header.CopyTo(destination);
            written = header.Length;
        }

        var period = Periods[Channels - 1];
        var segment = 0;
        while (written < destination.Length)
        {
            var data = offset + written - HeaderLength;
            segment = SegmentOf(data / BlockAlign, segment);
            var segmentEnd = segment < _segments.Length ? (_segmentStarts[segment] + _segments[segment].Frames) * BlockAlign : long.MaxValue;
            var run = destination.Slice(written, (int)Math.Min(destination.Length - written, segmentEnd - data));
            if (segment < _segments.Length && _segments[segment].Silent)
            {
                run.Clear();
            }
            else
            {
                for (var filled = 0; filled < run.Length;)
                {
                    var from = (int)((data + filled) % period.Length);
                    var take = Math.Min(period.Length - from, run.Length - filled);
                    period.AsSpan(from, take).CopyTo(run[filled..]);
                    filled += take;
                }
            }

            written += run.Length;
        }
    }

    /// <summary>The index of the segment holding <paramref name="frame"/>, starting the search at <paramref name="from"/>; past the last: the tone.</summary>
    private int SegmentOf(long frame, int from)
    {
        var segment = from;
        while (segment < _segments.Length && frame >= _segmentStarts[segment] + _segments[segment].Frames)
        {
            segment++;
        }

        return segment;
    }

    private static byte[] Header(int channels, long dataLength)
    {
        var header = new byte[HeaderLength];
        var span = header.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)Math.Min(uint.MaxValue, 36 + dataLength));
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], SampleRate * channels * BytesPerSample);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], (short)(channels * BytesPerSample));
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], BytesPerSample * 8);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)Math.Min(uint.MaxValue, dataLength));
        return header;
    }

    /// <summary>
    /// One second of samples for <paramref name="channels"/> channels, little-endian: a sine of 440 Hz on the first
    /// channel and 660 Hz on the second, each a whole number of cycles, so the second repeats seamlessly.
    /// </summary>
    private static byte[] Period(int channels)
    {
        int[] hertz = [440, 660];
        var period = new byte[SampleRate * channels * BytesPerSample];
        for (var i = 0; i < SampleRate; i++)
        {
            for (var channel = 0; channel < channels; channel++)
            {
                var sample = (short)(2000 * Math.Sin(2 * Math.PI * hertz[channel] * i / SampleRate));
                BinaryPrimitives.WriteInt16LittleEndian(period.AsSpan(((i * channels) + channel) * BytesPerSample), sample);
            }
        }

        return period;
    }
}
