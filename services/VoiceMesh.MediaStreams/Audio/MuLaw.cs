namespace VoiceMesh.MediaStreams.Audio;

/// <summary>
/// ITU-T G.711 mu-law: 8-bit codes to 16-bit linear PCM and back. Decoding is a 256-entry table built once from the
/// standard's segment formula; encoding is the classic biased-segment search (bias 0x84, clip 32635).
/// </summary>
internal static class MuLaw
{
    private const int Bias = 0x84;
    private const int Clip = 32635;

    private static readonly short[] DecodeTable = BuildDecodeTable();

    public static short Decode(byte code) => DecodeTable[code];

    /// <summary>Decodes <paramref name="codes"/> into <paramref name="pcm"/>, which must be at least as long.</summary>
    public static void Decode(ReadOnlySpan<byte> codes, Span<short> pcm)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pcm.Length, codes.Length);
        for (var i = 0; i < codes.Length; i++)
        {
            pcm[i] = DecodeTable[codes[i]];
        }
    }

    public static byte Encode(short sample)
    {
        int pcm = sample;
        var sign = 0;
        if (pcm < 0)
        {
            pcm = -pcm;
            sign = 0x80;
        }

        pcm = Math.Min(pcm, Clip) + Bias;
        var segment = 7;
        for (var mask = 0x4000; (pcm & mask) == 0 && segment > 0; mask >>= 1)
        {
            segment--;
        }

        var mantissa = (pcm >> (segment + 3)) & 0x0F;
        return (byte)~(sign | (segment << 4) | mantissa);
    }

    public static void Encode(ReadOnlySpan<short> pcm, Span<byte> codes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(codes.Length, pcm.Length);
        for (var i = 0; i < pcm.Length; i++)
        {
            codes[i] = Encode(pcm[i]);
        }
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (var code = 0; code < 256; code++)
        {
            var u = ~code & 0xFF;
            var magnitude = (((u & 0x0F) << 3) + Bias) << ((u & 0x70) >> 4);
            table[code] = (short)((u & 0x80) != 0 ? Bias - magnitude : magnitude - Bias);
        }

        return table;
    }
}
