using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using VoiceMesh.MediaStreams.Audio;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Tests.Vad;

/// <summary>
/// A labelled clip for VAD accuracy: sentences spoken by espeak-ng, resampled to 8 kHz at telephone level (-26 dBFS
/// while speaking), separated by pauses. A 20 ms frame is labelled speech when the clean speech in it is within 35 dB
/// of the loudest frame, with pauses shorter than 300 ms inside an utterance counted as speech. The clip can be mixed
/// with white noise at a signal-to-noise ratio (speech power over noise power) and mu-law encoded, as Twilio sends it.
/// </summary>
internal sealed class LabelledSpeech
{
    public const int FrameSamples = 160;
    private const int SampleRate = 8000;

    private static readonly string[] Sentences =
    [
        "Thank you for calling. How can I help you today?",
        "I would like to check the status of my order, please.",
        "Sure. Can you read me the order number?",
        "It is four seven two, nine nine one, eight.",
        "One moment while I look that up for you.",
        "Your parcel left the warehouse this morning and should arrive on Thursday.",
        "That is great news. Is there anything else I should know?",
        "No, that is everything. Have a wonderful afternoon.",
    ];

    private LabelledSpeech(short[] clean, bool[] labels)
    {
        Clean = clean;
        Labels = labels;
    }

    /// <summary>The clean speech, 8 kHz PCM16.</summary>
    public short[] Clean { get; }

    /// <summary>Speech or not, per 20 ms frame.</summary>
    public bool[] Labels { get; }

    public double SpeechShare => Labels.Count(l => l) / (double)Labels.Length;

    /// <summary>Speaks the sentences with espeak-ng (about 35 s of audio with its pauses).</summary>
    public static async Task<LabelledSpeech> Generate(CancellationToken cancellationToken)
    {
        var random = new Random(12);
        var samples = new List<short>(new short[SampleRate]);
        foreach (var sentence in Sentences)
        {
            samples.AddRange(await Speak(sentence, cancellationToken));
            samples.AddRange(new short[random.Next(SampleRate / 2, SampleRate * 2)]);
        }

        samples.AddRange(new short[FrameSamples - (samples.Count % FrameSamples)]);
        var clean = Normalise(samples.ToArray());
        return new LabelledSpeech(clean, Label(clean));
    }

    /// <summary>The clip with white Gaussian noise at <paramref name="snrDb"/>, mu-law encoded.</summary>
    public byte[] MuLawWithNoise(double snrDb, int seed)
    {
        var speechPower = SpeechPower();
        var noiseRms = Math.Sqrt(speechPower / Math.Pow(10, snrDb / 10));
        var random = new Random(seed);
        var mixed = new short[Clean.Length];
        for (var i = 0; i < Clean.Length; i++)
        {
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            mixed[i] = (short)Math.Clamp(Math.Round(Clean[i] + (gaussian * noiseRms)), short.MinValue, short.MaxValue);
        }

        var muLaw = new byte[mixed.Length];
        MuLaw.Encode(mixed, muLaw);
        return muLaw;
    }

    /// <summary>Frame-level precision and recall of a VAD (made for a stream by <paramref name="create"/>) on the mu-law clip.</summary>
    public async Task<VadScore> Score(Func<StreamContext, IStreamObserver, IMediaProcessor> create, byte[] muLaw)
    {
        var stream = new StreamContext("MZ00000000000000000000000000000000", "CA00000000000000000000000000000000", [MediaTrack.Inbound], new Dictionary<string, string>());
        var observed = new Observed();
        var processor = create(stream, observed);
        var pcm = new short[FrameSamples];
        for (var frame = 0; frame < Labels.Length; frame++)
        {
            var codes = muLaw.AsMemory(frame * FrameSamples, FrameSamples);
            MuLaw.Decode(codes.Span, pcm);
            await processor.Process(MediaTrack.Inbound, frame * 20L, pcm, codes.Span);
        }

        processor.Complete();
        var detected = new bool[Labels.Length];
        long? began = null;
        foreach (var e in observed.Events)
        {
            switch (e)
            {
                case SpeechBegan b:
                    began = b.OffsetMs;
                    break;
                case SpeechEnded ended when began is { } from:
                    for (var frame = 0; frame < detected.Length; frame++)
                    {
                        var middle = (frame * 20) + 10;
                        detected[frame] |= middle >= from && middle < ended.OffsetMs;
                    }

                    began = null;
                    break;
            }
        }

        var truePositives = Labels.Zip(detected).Count(p => p.First && p.Second);
        var predicted = detected.Count(d => d);
        var actual = Labels.Count(l => l);
        return new VadScore(predicted == 0 ? 0 : truePositives / (double)predicted, truePositives / (double)actual);
    }

    private double SpeechPower()
    {
        double sum = 0;
        long count = 0;
        for (var frame = 0; frame < Labels.Length; frame++)
        {
            if (Labels[frame])
            {
                foreach (var s in Clean.AsSpan(frame * FrameSamples, FrameSamples))
                {
                    sum += (double)s * s;
                }

                count += FrameSamples;
            }
        }

        return sum / count;
    }

    private static async Task<short[]> Speak(string sentence, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("espeak-ng") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-v", "en-us", "--stdout", sentence })
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("espeak-ng is not installed: run deploy/local/install.sh (or apt-get install espeak-ng).", ex);
        }

        using (process)
        {
            using var wav = new MemoryStream();
            await process.StandardOutput.BaseStream.CopyToAsync(wav, cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return Resample(Wav(wav.ToArray(), out var rate), rate);
        }
    }

    /// <summary>The PCM16 mono samples of a RIFF WAV (espeak-ng writes 22,050 Hz; its streamed header has no true sizes).</summary>
    private static short[] Wav(byte[] wav, out int rate)
    {
        rate = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24));
        var offset = 12;
        while (offset + 8 <= wav.Length && !wav.AsSpan(offset, 4).SequenceEqual("data"u8))
        {
            offset += 8 + BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(offset + 4));
        }

        var data = wav.AsSpan(offset + 8);
        var samples = new short[data.Length / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]);
        }

        return samples;
    }

    /// <summary>Band-limited (windowed sinc, cut-off 3.6 kHz) resampling to 8 kHz.</summary>
    private static short[] Resample(short[] input, int rate)
    {
        const int HalfTaps = 24;
        var ratio = rate / (double)SampleRate;
        var cutoff = 3600.0 / rate;
        var output = new short[(int)(input.Length / ratio)];
        for (var n = 0; n < output.Length; n++)
        {
            var t = n * ratio;
            var centre = (int)t;
            double sum = 0;
            for (var k = centre - (HalfTaps * (int)Math.Ceiling(ratio)); k <= centre + (HalfTaps * (int)Math.Ceiling(ratio)); k++)
            {
                if (k < 0 || k >= input.Length)
                {
                    continue;
                }

                var x = t - k;
                var window = Math.Abs(x) >= HalfTaps * ratio ? 0 : 0.5 * (1 + Math.Cos(Math.PI * x / (HalfTaps * ratio)));
                var sinc = x == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
                sum += input[k] * sinc * window;
            }

            output[n] = (short)Math.Clamp(Math.Round(sum), short.MinValue, short.MaxValue);
        }

        return output;
    }

    /// <summary>Scales the clip so that speech (frames within 35 dB of the loudest) averages -26 dBFS.</summary>
    private static short[] Normalise(short[] samples)
    {
        var labels = Label(samples);
        double sum = 0;
        long count = 0;
        for (var frame = 0; frame < labels.Length; frame++)
        {
            if (labels[frame])
            {
                foreach (var s in samples.AsSpan(frame * FrameSamples, FrameSamples))
                {
                    sum += (double)s * s;
                }

                count += FrameSamples;
            }
        }

        var gain = 32768 * Math.Pow(10, -26 / 20.0) / Math.Sqrt(sum / count);
        return [.. samples.Select(s => (short)Math.Clamp(Math.Round(s * gain), short.MinValue, short.MaxValue))];
    }

    private static bool[] Label(short[] samples)
    {
        var levels = Enumerable.Range(0, samples.Length / FrameSamples).Select(f => AudioLevel.Dbfs(samples.AsSpan(f * FrameSamples, FrameSamples))).ToArray();
        var floor = levels.Max() - 35;
        var labels = levels.Select(l => l >= floor).ToArray();
        const int BridgedFrames = 15;
        var lastSpeech = -1;
        for (var frame = 0; frame < labels.Length; frame++)
        {
            if (!labels[frame])
            {
                continue;
            }

            if (lastSpeech >= 0 && frame - lastSpeech <= BridgedFrames)
            {
                Array.Fill(labels, true, lastSpeech + 1, frame - lastSpeech - 1);
            }

            lastSpeech = frame;
        }

        return labels;
    }

    private sealed class Observed : IStreamObserver
    {
        public List<object> Events { get; } = [];

        public void Observe(object observed) => Events.Add(observed);
    }
}

/// <summary>Frame-level precision and recall of a VAD against the labels.</summary>
public sealed record VadScore(double Precision, double Recall)
{
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public override string ToString() => $"precision {Precision:F2} recall {Recall:F2} F1 {F1:F2}";
}
