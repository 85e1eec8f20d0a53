namespace VoiceMesh.TwilioSimulator.MediaStreams;

/// <summary>One step of what a simulated caller sends on a Media Stream.</summary>
public abstract record ScriptStep;

/// <summary>Digital silence (mu-law 0xFF) for <see cref="Milliseconds"/>.</summary>
public sealed record Silence(int Milliseconds) : ScriptStep;

/// <summary>A sine tone.</summary>
public sealed record Tone(int Milliseconds, double FrequencyHz = 440, double Amplitude = 8000) : ScriptStep;

/// <summary>
/// A speech-like burst: a 120 Hz voice with its first harmonics, its loudness swinging at a 4 Hz syllable rate but never
/// dropping to silence, so a voice activity detector hears one utterance.
/// </summary>
public sealed record SpeechBurst(int Milliseconds, double Amplitude = 9000) : ScriptStep;

/// <summary>A DTMF digit, sent as Twilio's <c>dtmf</c> message between two frames (no audio time).</summary>
public sealed record Digit(char Value) : ScriptStep;

/// <summary>
/// Silence until audio from the server has been playing for <see cref="Milliseconds"/> (a caller who starts talking
/// some way into a prompt); then the script goes on.
/// </summary>
public sealed record WaitForPlayback(int Milliseconds) : ScriptStep;

/// <summary>What the simulator produced: one 20 ms mu-law frame, a digit, or a wait for playback.</summary>
public readonly record struct ScriptFrame(byte[]? MuLaw, char? Digit, int? WaitForPlaybackMs = null);

/// <summary>
/// A caller's audio as a list of steps, rendered to 20 ms frames of 8 kHz mu-law. Durations are whole frames (a
/// step's milliseconds are rounded down to a multiple of 20). <see cref="SpeechSegments"/> and <see cref="Digits"/>
/// are what a correct server must report.
/// </summary>
public sealed class AudioScript(IReadOnlyList<ScriptStep> steps)
{
    public const int FrameMilliseconds = 20;
    public const int FrameBytes = 160;

    public IReadOnlyList<ScriptStep> Steps { get; } = steps;

    public int FrameCount => Steps.Sum(s => Milliseconds(s) / FrameMilliseconds);

    /// <summary>Speech and tone steps as (start, stop) in stream milliseconds; adjacent ones merge.</summary>
    public IReadOnlyList<(long StartMs, long StopMs)> SpeechSegments
    {
        get
        {
            var segments = new List<(long, long)>();
            long at = 0;
            foreach (var step in Steps)
            {
                var length = Milliseconds(step) / FrameMilliseconds * FrameMilliseconds;
                if (step is Tone or SpeechBurst && length > 0)
                {
                    if (segments.Count > 0 && segments[^1].Item2 == at)
                    {
                        segments[^1] = (segments[^1].Item1, at + length);
                    }
                    else
                    {
                        segments.Add((at, at + length));
                    }
                }

                at += length;
            }

            return segments;
        }
    }

    /// <summary>Each digit with the media timestamp of the frame before it.</summary>
    public IReadOnlyList<(char Digit, long AfterMs)> Digits
    {
        get
        {
            var digits = new List<(char, long)>();
            long at = 0;
            foreach (var step in Steps)
            {
                if (step is Digit digit)
                {
                    digits.Add((digit.Value, Math.Max(0, at - FrameMilliseconds)));
                }

                at += Milliseconds(step) / FrameMilliseconds * FrameMilliseconds;
            }

            return digits;
        }
    }

    public IEnumerable<ScriptFrame> Frames()
    {
        long sample = 0;
        foreach (var step in Steps)
        {
            if (step is Digit digit)
            {
                yield return new ScriptFrame(null, digit.Value);
                continue;
            }

            if (step is WaitForPlayback wait)
            {
                yield return new ScriptFrame(null, null, wait.Milliseconds);
                continue;
            }

            for (var f = 0; f < Milliseconds(step) / FrameMilliseconds; f++)
            {
                var frame = new byte[FrameBytes];
                for (var i = 0; i < FrameBytes; i++, sample++)
                {
                    frame[i] = G711.Encode(Sample(step, sample));
                }

                yield return new ScriptFrame(frame, null);
            }
        }
    }

    private static short Sample(ScriptStep step, long n)
    {
        var t = n / 8000.0;
        return step switch
        {
            Tone tone => (short)(tone.Amplitude * Math.Sin(2 * Math.PI * tone.FrequencyHz * t)),
            SpeechBurst speech => (short)(speech.Amplitude * (0.7 + (0.3 * Math.Sin(2 * Math.PI * 4 * t)))
                * ((0.6 * Math.Sin(2 * Math.PI * 120 * t)) + (0.3 * Math.Sin(2 * Math.PI * 240 * t)) + (0.1 * Math.Sin(2 * Math.PI * 360 * t)))),
            _ => 0,
        };
    }

    private static int Milliseconds(ScriptStep step) => step switch
    {
        Silence s => s.Milliseconds,
        Tone t => t.Milliseconds,
        SpeechBurst b => b.Milliseconds,
        _ => 0,
    };
}

/// <summary>The caller side's G.711 mu-law encoder, written apart from the service's so each checks the other.</summary>
public static class G711
{
    public static byte Encode(short sample)
    {
        const int bias = 0x84;
        int magnitude = Math.Abs((int)sample);
        var sign = sample < 0 ? 0x80 : 0;
        magnitude = Math.Min(magnitude, 32635) + bias;
        var exponent = 7;
        while (exponent > 0 && (magnitude & (0x4000 >> (7 - exponent))) == 0)
        {
            exponent--;
        }

        return (byte)~(sign | (exponent << 4) | ((magnitude >> (exponent + 3)) & 0x0F));
    }
}
