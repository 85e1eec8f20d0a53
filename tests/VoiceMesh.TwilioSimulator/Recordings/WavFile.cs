namespace VoiceMesh.TwilioSimulator.Recordings;

/// <summary>A real RIFF/WAVE file: 8 kHz, 16-bit mono PCM, a quiet 440 Hz tone lasting the recording's duration.</summary>
internal static class WavFile
{
    public const int SampleRate = 8000;

    public static byte[] Tone(int seconds)
    {
        var samples = SampleRate * Math.Max(0, seconds);
        var dataBytes = samples * 2;
        var wav = new byte[44 + dataBytes];
        using var writer = new BinaryWriter(new MemoryStream(wav));
        writer.Write("RIFF"u8);
        writer.Write(36 + dataBytes);
        writer.Write("WAVE"u8);
        writer.Write("fmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(SampleRate);
        writer.Write(SampleRate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(dataBytes);
        for (var i = 0; i < samples; i++)
        {
            writer.Write((short)(2000 * Math.Sin(2 * Math.PI * 440 * i / SampleRate)));
        }

        return wav;
    }
}
