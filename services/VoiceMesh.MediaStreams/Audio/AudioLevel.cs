namespace VoiceMesh.MediaStreams.Audio;

/// <summary>Frame energy for voice activity decisions.</summary>
internal static class AudioLevel
{
    /// <summary>The frame's RMS level in dB relative to full scale (-100 for digital silence).</summary>
    public static double Dbfs(ReadOnlySpan<short> pcm)
    {
        if (pcm.IsEmpty)
        {
            return -100;
        }

        double sum = 0;
        foreach (var sample in pcm)
        {
            sum += (double)sample * sample;
        }

        var rms = Math.Sqrt(sum / pcm.Length);
        return rms < 1 ? -100 : 20 * Math.Log10(rms / 32768);
    }
}
