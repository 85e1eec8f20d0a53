using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using VoiceMesh.MediaStreams;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Tests.Vad;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// <c>vad</c>: the energy and the neural (Silero) VAD of MediaStreams, in process, on the labelled espeak-ng clip of the
/// unit tests (<see cref="LabelledSpeech"/>) in white noise at 10 and 0 dB SNR, mu-law encoded: frame-level precision,
/// recall and F1 of each. Then the neural VAD's inference alone on that audio: CPU time per 32 ms chunk with the
/// service's session settings (one thread per run) for one and for two streams at once, and with ONNX Runtime's default
/// threading for comparison, as streams per core (a stream needs 31.25 chunks/s). Passes when the neural VAD's F1 beats
/// the energy VAD's at 0 dB and its inference sustains at least 200 streams per core.
/// </summary>
internal sealed class VadScenario : IScenario
{
    private const int ChunksPerStream = 4000;

    public required string Name { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: energy vs neural VAD on espeak-ng speech in white noise (mu-law), and the neural VAD's inference cost");
        var options = new MediaStreamsOptions();
        using var model = new SileroModel(Options.Create(options), NullLogger<SileroModel>.Instance);
        var session = model.Session ?? throw new InvalidOperationException("The Silero VAD model is missing: run deploy/local/install.sh, then build.");
        var speech = await LabelledSpeech.Generate(cancellationToken);
        Console.WriteLine($"  clip: {speech.Labels.Length * 20 / 1000.0:F1} s, speech in {speech.SpeechShare:P0} of the 20 ms frames");
        var f1AtZero = (Energy: 0.0, Silero: 0.0);
        foreach (var snr in new[] { 10.0, 0.0 })
        {
            var muLaw = speech.MuLawWithNoise(snr, seed: 7);
            var energy = speech.Score((stream, observer) => new EnergyVoiceActivityProcessor(stream, observer, options.VoiceActivity, TimeProvider.System), muLaw);
            var silero = speech.Score((stream, observer) => new SileroVoiceActivityProcessor(stream, observer, session, options.Silero, options.VoiceActivity.DeadAir, TimeProvider.System), muLaw);
            Console.WriteLine($"  {snr,2:F0} dB SNR  energy {energy}   silero {silero}");
            f1AtZero = (energy.F1, silero.F1);
        }

        var audio = speech.MuLawWithNoise(0, seed: 7);
        var single = Inference(session, audio, 1);
        var pair = Inference(session, audio, 2);
        using var defaults = new InferenceSession(Path.Combine(AppContext.BaseDirectory, options.Silero.ModelPath));
        var defaultThreading = Inference(defaults, audio, 2);
        Console.WriteLine($"  inference, 1 thread per run (the service), 1 stream:   {single}");
        Console.WriteLine($"  inference, 1 thread per run (the service), 2 streams:  {pair}");
        Console.WriteLine($"  inference, ONNX Runtime default threading, 2 streams:  {defaultThreading}");
        Console.WriteLine($"  load average {Machine.LoadAverage()}");
        var passed = f1AtZero.Silero > f1AtZero.Energy && single.StreamsPerCore >= 200;
        return new ScenarioResult(Name, passed, $"F1 at 0 dB silero {f1AtZero.Silero:F2} vs energy {f1AtZero.Energy:F2}, {single.StreamsPerCore:F0} streams per core")
        {
            Figures =
            [
                new Figure("silero F1 at 0 dB", f1AtZero.Silero, "F1") { Baseline = "energy F1 at 0 dB" },
                new Figure("energy F1 at 0 dB", f1AtZero.Energy, "F1"),
                new Figure("silero streams per core", single.StreamsPerCore, "streams") { Target = new FigureTarget(TargetKind.AtLeast, 200) },
                new Figure("silero CPU per chunk", single.CpuMicroseconds, "us"),
                new Figure("silero chunk p99, 2 streams", pair.WallP99, "us"),
            ],
        };
    }

    /// <summary><paramref name="streams"/> streams' chunks run at once on the session, each on its own thread, timed in process CPU time.</summary>
    private static InferenceFigures Inference(InferenceSession session, byte[] muLaw, int streams)
    {
        Run(session, muLaw, 200);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var latencies = Enumerable.Range(0, streams).AsParallel().WithDegreeOfParallelism(streams).SelectMany(_ => Run(session, muLaw, ChunksPerStream)).Order().ToList();
        var wall = clock.Elapsed;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var chunks = streams * ChunksPerStream;
        return new InferenceFigures(cpuSeconds * 1e6 / chunks, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)], chunks / wall.TotalSeconds, chunks / cpuSeconds / 31.25);
    }

    /// <summary>One stream's chunks (the clip's audio, round and round), each one's wall time in microseconds.</summary>
    private static List<double> Run(InferenceSession session, byte[] muLaw, int chunks)
    {
        using var model = new SileroStream(session);
        var latencies = new List<double>(chunks);
        var pcm = new short[SileroStream.ChunkSamples];
        var offset = 0;
        for (var i = 0; i < chunks; i++)
        {
            if (offset + SileroStream.ChunkSamples > muLaw.Length)
            {
                offset = 0;
            }

            VoiceMesh.MediaStreams.Audio.MuLaw.Decode(muLaw.AsSpan(offset, SileroStream.ChunkSamples), pcm);
            offset += SileroStream.ChunkSamples;
            var chunk = model.Chunk;
            for (var s = 0; s < pcm.Length; s++)
            {
                chunk[s] = pcm[s] / 32768f;
            }

            var started = Stopwatch.GetTimestamp();
            model.Predict();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return latencies;
    }

    private sealed record InferenceFigures(double CpuMicroseconds, double WallP50, double WallP99, double ChunksPerSecond, double StreamsPerCore)
    {
        public override string ToString() =>
            $"{CpuMicroseconds:F0} us CPU per chunk, wall p50 {WallP50:F0} us p99 {WallP99:F0} us, {ChunksPerSecond:F0} chunks/s, {StreamsPerCore:F0} streams per core";
    }
}
