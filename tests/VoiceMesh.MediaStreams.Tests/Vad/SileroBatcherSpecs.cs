using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VoiceMesh.MediaStreams.Audio;
using VoiceMesh.MediaStreams.Processing;

namespace VoiceMesh.MediaStreams.Tests.Vad;

/// <summary>
/// The batcher runs many streams' chunks as one inference; each row must carry its own stream's input and recurrent
/// state, so a stream's probabilities are the ones it gets alone. Needs the model and espeak-ng: deploy/local/install.sh.
/// </summary>
public sealed class SileroBatcherSpecs(VadAccuracySpecs.Clip clip) : IClassFixture<VadAccuracySpecs.Clip>
{
    private const int Streams = 12;
    private const int ChunksPerStream = 60;

    [Fact]
    public async Task Chunks_of_streams_batched_together_get_the_probabilities_each_stream_gets_alone()
    {
        var alone = await Predict(new SileroOptions { MaxBatch = 1 }, together: false);
        var batched = await Predict(new SileroOptions(), together: true);

        Assert.Equal(alone.Chunks, alone.Runs);
        Assert.True(batched.Chunks > batched.Runs, $"{batched.Chunks} chunks in {batched.Runs} inferences: none ran together");
        for (var stream = 0; stream < Streams; stream++)
        {
            for (var chunk = 0; chunk < ChunksPerStream; chunk++)
            {
                Assert.True(
                    Math.Abs(alone.Probabilities[stream][chunk] - batched.Probabilities[stream][chunk]) < 1e-4,
                    $"stream {stream} chunk {chunk}: {alone.Probabilities[stream][chunk]} alone, {batched.Probabilities[stream][chunk]} batched");
            }
        }

        // The streams hear different speech, so rows mixed up or states swapped would show.
        Assert.Contains(alone.Probabilities, p => p.Max() > 0.5);
        Assert.True(alone.Probabilities.Select(p => p[ChunksPerStream / 2]).Distinct().Count() > Streams / 2);
    }

    [Fact]
    public async Task A_chunk_submitted_after_the_model_is_disposed_fails_instead_of_waiting_for_ever()
    {
        var model = Model(new SileroOptions());
        var batcher = model.Batcher!;
        Assert.Equal(0.0f, await WithinReason(new SileroStream(batcher).Predict()));

        model.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => new SileroStream(batcher).Predict().AsTask());
    }

    /// <summary>Digital silence: a probability near 0, rounded to one decimal.</summary>
    private static async Task<float> WithinReason(ValueTask<float> prediction) => MathF.Round(await prediction, 1);

    private async Task<(float[][] Probabilities, long Runs, long Chunks)> Predict(SileroOptions options, bool together)
    {
        using var model = Model(options);
        var batcher = model.Batcher ?? throw new InvalidOperationException("The Silero VAD model is missing from the build output: run deploy/local/install.sh, then build.");
        var speech = clip.Speech.MuLawWithNoise(10, seed: 3);
        var probabilities = new float[Streams][];
        async Task Run(int index)
        {
            var stream = new SileroStream(batcher);
            var pcm = new short[SileroStream.ChunkSamples];
            probabilities[index] = new float[ChunksPerStream];
            var offset = index * speech.Length / Streams;
            for (var chunk = 0; chunk < ChunksPerStream; chunk++)
            {
                offset = offset + SileroStream.ChunkSamples > speech.Length ? 0 : offset;
                MuLaw.Decode(speech.AsSpan(offset, SileroStream.ChunkSamples), pcm);
                offset += SileroStream.ChunkSamples;
                for (var i = 0; i < pcm.Length; i++)
                {
                    stream.Chunk[i] = pcm[i] / 32768f;
                }

                probabilities[index][chunk] = await stream.Predict();
            }
        }

        if (together)
        {
            await Task.WhenAll(Enumerable.Range(0, Streams).Select(i => Task.Run(() => Run(i), TestContext.Current.CancellationToken)));
        }
        else
        {
            for (var i = 0; i < Streams; i++)
            {
                await Run(i);
            }
        }

        return (probabilities, batcher.Runs, batcher.Chunks);
    }

    private static SileroModel Model(SileroOptions silero) =>
        new(Options.Create(new MediaStreamsOptions { Silero = silero }), NullLogger<SileroModel>.Instance);
}
