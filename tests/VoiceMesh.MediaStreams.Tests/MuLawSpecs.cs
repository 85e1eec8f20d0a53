using VoiceMesh.MediaStreams.Audio;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class MuLawSpecs
{
    /// <summary>
    /// ITU-T G.711 Table 2 (mu-law), written from the standard rather than from the codec: the transmitted code is the
    /// complement of sign (1 = positive), 3-bit segment and 4-bit step; the decoded magnitude on the 14-bit scale
    /// (-8031..8031) is ((2 * step + 33) * 2^segment) - 33, here shifted to 16 bits (x4).
    /// </summary>
    private static short G711(byte code)
    {
        var complemented = (byte)~code;
        var positive = (complemented & 0x80) == 0;
        var segment = (complemented >> 4) & 0x07;
        var step = complemented & 0x0F;
        var magnitude = (((2 * step) + 33) << segment) - 33;
        return (short)((positive ? magnitude : -magnitude) * 4);
    }

    [Fact]
    public void Decoding_is_bit_exact_against_the_G711_table_for_all_256_codes()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.True(G711((byte)code) == MuLaw.Decode((byte)code), $"code 0x{code:X2}: G.711 {G711((byte)code)}, decoded {MuLaw.Decode((byte)code)}");
        }

        Assert.Equal(0, MuLaw.Decode(0xFF));
        Assert.Equal(32124, MuLaw.Decode(0x80));
        Assert.Equal(-32124, MuLaw.Decode(0x00));
    }

    [Fact]
    public void Every_code_survives_decode_then_encode_except_negative_zero()
    {
        for (var code = 0; code < 256; code++)
        {
            var expected = code == 0x7F ? 0xFF : code;
            Assert.Equal(expected, MuLaw.Encode(MuLaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void A_tone_round_trips_within_the_G711_quantisation_step_of_each_segment()
    {
        var pcm = new short[8000];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)Math.Round(20000 * Math.Sin(2 * Math.PI * 1004 * i / 8000.0));
        }

        var codes = new byte[pcm.Length];
        var decoded = new short[pcm.Length];
        MuLaw.Encode(pcm, codes);
        MuLaw.Decode(codes, decoded);

        double signal = 0, noise = 0;
        for (var i = 0; i < pcm.Length; i++)
        {
            var segment = ((byte)~codes[i] >> 4) & 0x07;
            var halfStep = 4 << segment;
            var error = Math.Abs(pcm[i] - decoded[i]);
            Assert.True(error <= halfStep, $"sample {i}: {pcm[i]} came back {decoded[i]}, more than half a step ({halfStep}) of segment {segment}");
            signal += (double)pcm[i] * pcm[i];
            noise += (double)error * error;
        }

        // G.711 mu-law's signal-to-quantisation-noise ratio for a loud sine is about 38 dB.
        Assert.InRange(10 * Math.Log10(signal / noise), 35, 45);
    }

    [Fact]
    public void Samples_beyond_the_clip_level_encode_as_the_loudest_code()
    {
        Assert.Equal(0x80, MuLaw.Encode(short.MaxValue));
        Assert.Equal(0x00, MuLaw.Encode(short.MinValue));
    }
}
