using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VoiceMesh.MediaStreams;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.MediaStreams.Tests.Vad;
using VoiceMesh.Testing;

namespace VoiceMesh.Benchmarks;

/// <summary>
/// <c>vad</c>: the energy and the neural (Silero) VAD of MediaStreams, in process, on the labelled espeak-ng clip of the
/// unit tests (<see cref="LabelledSpeech"/>) in white noise at 10 and 0 dB SNR, mu-law encoded: frame-level precision,
/// recall and F1 of each. Then the neural VAD's inference alone on that audio, through the service's batcher and session
/// (one thread per run): CPU time per 32 ms chunk for one stream whose chunks each run alone, and for 250 streams at once
/// batched as the service batches them, as streams per core (a stream needs 31.25 chunks/s). Passes when the neural
/// VAD's F1 beats the energy VAD's at 0 dB and its inference, each chunk alone, sustains at least 200 streams per core.
/// </summary>
internal sealed class VadScenario : IScenario
{
    /// <summary>The streams of the batched measurement: the neural VAD's load line.</summary>
    private const int BatchedStreams = 250;

    public required string Name { get; init; }

    public async Task<ScenarioResult> Run(TestInfrastructure infrastructure, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Console.WriteLine($"== {Name}: energy vs neural VAD on espeak-ng speech in white noise (mu-law), and the neural VAD's inference cost");
        var options = new MediaStreamsOptions();
        using var model = new SileroModel(Options.Create(options), NullLogger<SileroModel>.Instance);
        var batcher = model.Batcher ?? throw new InvalidOperationException("The Silero VAD model is missing: run deploy/local/install.sh, then build.");
        var speech = await LabelledSpeech.Generate(cancellationToken);
        Console.WriteLine($"  clip: {speech.Labels.Length * 20 / 1000.0:F1} s, speech in {speech.SpeechShare:P0} of the 20 ms frames");
        var f1AtZero = (Energy: 0.0, Silero: 0.0);
        foreach (var snr in new[] { 10.0, 0.0 })
        {
            var muLaw = speech.MuLawWithNoise(snr, seed: 7);
            var energy = await speech.Score((stream, observer) => new EnergyVoiceActivityProcessor(stream, observer, options.VoiceActivity, TimeProvider.System), muLaw);
            var silero = await speech.Score((stream, observer) => new SileroVoiceActivityProcessor(stream, observer, batcher, options.Silero, options.VoiceActivity.DeadAir, TimeProvider.System), muLaw);
            Console.WriteLine($"  {snr,2:F0} dB SNR  energy {energy}   silero {silero}");
            f1AtZero = (energy.F1, silero.F1);
        }

        var audio = speech.MuLawWithNoise(0, seed: 7);
        var single = await Inference(new SileroOptions { MaxBatch = 1 }, audio, 1, 4000);
        var batched = await Inference(options.Silero, audio, BatchedStreams, 100);
        Console.WriteLine($"  inference, each chunk alone (batches of 1), 1 stream:            {single}");
        Console.WriteLine($"  inference, the service's batching, {BatchedStreams} streams at once:      {batched}");
        Console.WriteLine($"  load average {Machine.LoadAverage()}");
        var passed = f1AtZero.Silero > f1AtZero.Energy && single.StreamsPerCore >= 200;
        return new ScenarioResult(Name, passed, $"F1 at 0 dB silero {f1AtZero.Silero:F2} vs energy {f1AtZero.Energy:F2}, {single.StreamsPerCore:F0} streams per core alone, {batched.StreamsPerCore:F0} batched")
        {
            Figures =
            [
                new Figure("silero F1 at 0 dB", f1AtZero.Silero, "F1") { Baseline = "energy F1 at 0 dB" },
                new Figure("energy F1 at 0 dB", f1AtZero.Energy, "F1"),
                new Figure("silero streams per core", single.StreamsPerCore, "streams") { Target = new FigureTarget(TargetKind.AtLeast, 200) },
                new Figure("silero CPU per chunk", single.CpuMicroseconds, "us"),
                new Figure("silero streams per core, batched", batched.StreamsPerCore, "streams") { Baseline = "silero streams per core" },
                new Figure("silero CPU per chunk, batched", batched.CpuMicroseconds, "us"),
                new Figure("silero mean batch", batched.MeanBatch, "chunks"),
                new Figure("silero chunk p99, batched", batched.WallP99, "us"),
            ],
        };
    }

    /// <summary>
    /// <paramref name="streams"/> streams predict <paramref name="chunks"/> chunks each (the clip's audio, round and round,
    /// each stream from its own place) through a batcher with <paramref name="silero"/>'s settings, as fast as their
    /// predictions come back; timed in process CPU time, and each chunk's wall time from submit to result.
    /// </summary>
    private static async Task<InferenceFigures> Inference(SileroOptions silero, byte[] muLaw, int streams, int chunks)
    {
        using var model = new SileroModel(Options.Create(new MediaStreamsOptions { Silero = silero }), NullLogger<SileroModel>.Instance);
        var batcher = model.Batcher ?? throw new InvalidOperationException("The Silero VAD model is missing: run deploy/local/install.sh, then build.");
        await Task.WhenAll(Enumerable.Range(0, streams).Select(i => Task.Run(() => Run(batcher, muLaw, i * 997, 20))));
        var (runs, predicted) = (batcher.Runs, batcher.Chunks);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var latencies = (await Task.WhenAll(Enumerable.Range(0, streams).Select(i => Task.Run(() => Run(batcher, muLaw, i * 997, chunks))))).SelectMany(l => l).Order().ToList();
        var wall = clock.Elapsed;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var total = streams * chunks;
        var meanBatch = (batcher.Chunks - predicted) / (double)Math.Max(1, batcher.Runs - runs);
        return new InferenceFigures(cpuSeconds * 1e6 / total, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)], total / wall.TotalSeconds, total / cpuSeconds / 31.25, meanBatch);
    }

    /// <summary>One stream's chunks from <paramref name="offset"/> in the clip, each one's wall time in microseconds.</summary>
    private static async Task<List<double>> Run(SileroBatcher batcher, byte[] muLaw, int offset, int chunks)
    {
        var model = new SileroStream(batcher);
        var latencies = new List<double>(chunks);
        var pcm = new short[SileroStream.ChunkSamples];
        offset %= muLaw.Length - SileroStream.ChunkSamples;
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
            await model.Predict();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return latencies;
    }

    private sealed record InferenceFigures(double CpuMicroseconds, double WallP50, double WallP99, double ChunksPerSecond, double StreamsPerCore, double MeanBatch)
    {
        public override string ToString() =>
            $"{CpuMicroseconds:F0} us CPU per chunk, mean batch {MeanBatch:F1}, wall p50 {WallP50:F0} us p99 {WallP99:F0} us, {ChunksPerSecond:F0} chunks/s, {StreamsPerCore:F0} streams per core";
    }
}
