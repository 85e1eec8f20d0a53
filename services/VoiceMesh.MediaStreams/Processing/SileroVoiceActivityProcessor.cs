using VoiceMesh.MediaStreams.Protocol;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// Neural voice activity detection with the Silero VAD model: each track's samples are cut into 32 ms chunks (a chunk
/// spans frames), each chunk's speech probability (from the <see cref="SileroBatcher"/>) is one step of the same
/// hysteresis as the energy VAD (start at <see cref="SileroOptions.StartProbability"/> for
/// <see cref="SileroOptions.StartChunks"/> chunks, stop below <see cref="SileroOptions.StopProbability"/> for
/// <see cref="SileroOptions.StopChunks"/>), dated at the chunk's first sample in media time, so it reports the same
/// events. A frame that completes a chunk finishes once its chunk's batch has run.
/// </summary>
internal sealed class SileroVoiceActivityProcessor : IMediaProcessor
{
    private const int SamplesPerMs = 8;
    private readonly Track[] _tracks;
    private readonly SileroOptions _options;

    public SileroVoiceActivityProcessor(
        StreamContext stream, IStreamObserver observer, SileroBatcher batcher, SileroOptions options, TimeSpan deadAir, TimeProvider clock)
    {
        _options = options;
        _tracks = [.. Enum.GetValues<MediaTrack>().Select(t => new Track(
            new SileroStream(batcher), new SpeechHysteresis(stream, t, observer, options.StartChunks, options.StopChunks, deadAir, clock)))];
    }

    public ValueTask Process(MediaTrack track, long timestampMs, ReadOnlySpan<short> pcm, ReadOnlySpan<byte> muLaw)
    {
        var state = _tracks[(int)track];
        var taken = state.Fill(timestampMs, 0, pcm);
        if (!state.Full)
        {
            return ValueTask.CompletedTask;
        }

        // The rest of the frame waits for this chunk's prediction (the next chunk needs its state); the caller's span
        // is only valid until this returns.
        state.Keep(pcm[taken..]);
        return Predict(state, timestampMs, taken);
    }

    public void Complete()
    {
        foreach (var track in _tracks)
        {
            track.Speech.Complete();
        }
    }

    private async ValueTask Predict(Track state, long timestampMs, int frameOffset)
    {
        var kept = 0;
        while (state.Full)
        {
            var probability = await state.Model.Predict();
            state.Filled = 0;
            state.Speech.Step(state.ChunkStartMs, SileroStream.ChunkSamples / SamplesPerMs,
                probability >= _options.StartProbability, probability < _options.StopProbability);
            var taken = state.Fill(timestampMs, frameOffset, state.Kept.AsSpan(kept, state.KeptCount - kept));
            kept += taken;
            frameOffset += taken;
        }
    }

    private sealed class Track(SileroStream model, SpeechHysteresis speech)
    {
        public SileroStream Model { get; } = model;

        public SpeechHysteresis Speech { get; } = speech;

        public int Filled { get; set; }

        public long ChunkStartMs { get; private set; }

        public bool Full => Filled == SileroStream.ChunkSamples;

        /// <summary>The samples of a frame left over once its chunk was full, held across the prediction.</summary>
        public short[] Kept { get; private set; } = new short[512];

        public int KeptCount { get; private set; }

        /// <summary>
        /// Copies samples into the chunk until it is full; <paramref name="frameOffset"/> is the first sample's index in
        /// its frame, which dates the chunk. Returns how many were taken.
        /// </summary>
        public int Fill(long timestampMs, int frameOffset, ReadOnlySpan<short> pcm)
        {
            var chunk = Model.Chunk;
            var taken = 0;
            while (taken < pcm.Length && !Full)
            {
                if (Filled == 0)
                {
                    ChunkStartMs = timestampMs + ((frameOffset + taken) / SamplesPerMs);
                }

                chunk[Filled++] = pcm[taken++] / 32768f;
            }

            return taken;
        }

        public void Keep(ReadOnlySpan<short> rest)
        {
            if (rest.Length > Kept.Length)
            {
                Kept = new short[rest.Length];
            }

            rest.CopyTo(Kept);
            KeptCount = rest.Length;
        }
    }
}
