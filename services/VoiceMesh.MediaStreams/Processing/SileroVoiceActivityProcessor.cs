using Microsoft.ML.OnnxRuntime;
using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// Neural voice activity detection with the Silero VAD model: each track's samples are cut into 32 ms chunks (a chunk
/// spans frames), each chunk's speech probability is one step of the same hysteresis as the energy VAD (start at
/// <see cref="SileroOptions.StartProbability"/> for <see cref="SileroOptions.StartChunks"/> chunks, stop below
/// <see cref="SileroOptions.StopProbability"/> for <see cref="SileroOptions.StopChunks"/>), dated at the chunk's first
/// sample in media time, so it reports the same events.
/// </summary>
internal sealed class SileroVoiceActivityProcessor : IMediaProcessor, IDisposable
{
    private const int SamplesPerMs = 8;
    private readonly Track[] _tracks;
    private readonly SileroOptions _options;

    public SileroVoiceActivityProcessor(
        StreamContext stream, IStreamObserver observer, InferenceSession session, SileroOptions options, TimeSpan deadAir, TimeProvider clock)
    {
        _options = options;
        _tracks = [.. Enum.GetValues<MediaTrack>().Select(t => new Track(
            new SileroStream(session), new SpeechHysteresis(stream, t, observer, options.StartChunks, options.StopChunks, deadAir, clock)))];
    }

    public void Process(MediaTrack track, long timestampMs, ReadOnlySpan<short> pcm, ReadOnlySpan<byte> muLaw)
    {
        var state = _tracks[(int)track];
        var chunk = state.Model.Chunk;
        for (var i = 0; i < pcm.Length; i++)
        {
            if (state.Filled == 0)
            {
                state.ChunkStartMs = timestampMs + (i / SamplesPerMs);
            }

            chunk[state.Filled++] = pcm[i] / 32768f;
            if (state.Filled == SileroStream.ChunkSamples)
            {
                var probability = state.Model.Predict();
                state.Filled = 0;
                state.Speech.Step(state.ChunkStartMs, SileroStream.ChunkSamples / SamplesPerMs,
                    probability >= _options.StartProbability, probability < _options.StopProbability);
            }
        }
    }

    public void Complete()
    {
        foreach (var track in _tracks)
        {
            track.Speech.Complete();
        }
    }

    public void Dispose()
    {
        foreach (var track in _tracks)
        {
            track.Model.Dispose();
        }
    }

    private sealed class Track(SileroStream model, SpeechHysteresis speech)
    {
        public SileroStream Model { get; } = model;

        public SpeechHysteresis Speech { get; } = speech;

        public int Filled { get; set; }

        public long ChunkStartMs { get; set; }
    }
}
