using System.Threading.Tasks.Sources;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// The Silero VAD (v5/v6) recurrent state of one audio track: each prediction feeds the next 256 samples at 8 kHz
/// (32 ms) with the previous chunk's last 32 as context, through the <see cref="SileroBatcher"/>, and returns the speech
/// probability. A track has at most one chunk in flight (the next one needs this one's state), so the stream is its own
/// reusable completion source: a prediction allocates nothing. When the stream runs its chunk's batch itself, the
/// prediction is complete when <see cref="Predict"/> returns; when another stream's runner took it, its continuation
/// goes to the thread pool, so no runner carries other streams' work.
/// </summary>
internal sealed class SileroStream(SileroBatcher batcher) : IValueTaskSource<float>
{
    public const int ChunkSamples = 256;
    public const int InputSamples = ContextSamples + ChunkSamples;
    public const int Layers = 2;
    public const int StateWidth = 128;
    private const int ContextSamples = 32;

    private readonly float[] _input = new float[InputSamples];
    private readonly float[] _state = new float[Layers * StateWidth];
    private ManualResetValueTaskSourceCore<float> _prediction = new() { RunContinuationsAsynchronously = true };

    /// <summary>The input buffer's slot for the next chunk's samples (scaled to [-1, 1)).</summary>
    public Span<float> Chunk => _input.AsSpan(ContextSamples);

    /// <summary>The probability that the chunk written to <see cref="Chunk"/> is speech; keeps its tail as the next context.</summary>
    public ValueTask<float> Predict()
    {
        _prediction.Reset();
        var prediction = new ValueTask<float>(this, _prediction.Version);
        batcher.Submit(this);
        return prediction;
    }

    float IValueTaskSource<float>.GetResult(short token) => _prediction.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<float>.GetStatus(short token) => _prediction.GetStatus(token);

    void IValueTaskSource<float>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _prediction.OnCompleted(continuation, state, token, flags);

    /// <summary>Copies this chunk's input into its batch row and its state into row <paramref name="row"/> of each layer.</summary>
    internal void WriteTo(Span<float> input, float[] state, int row, int size)
    {
        _input.CopyTo(input);
        for (var layer = 0; layer < Layers; layer++)
        {
            _state.AsSpan(layer * StateWidth, StateWidth).CopyTo(state.AsSpan(((layer * size) + row) * StateWidth, StateWidth));
        }
    }

    /// <summary>Takes row <paramref name="row"/>'s next state, keeps the chunk's tail as context and completes the prediction.</summary>
    internal void Complete(float probability, float[] nextState, int row, int size)
    {
        for (var layer = 0; layer < Layers; layer++)
        {
            nextState.AsSpan(((layer * size) + row) * StateWidth, StateWidth).CopyTo(_state.AsSpan(layer * StateWidth, StateWidth));
        }

        _input.AsSpan(InputSamples - ContextSamples).CopyTo(_input);
        _prediction.SetResult(probability);
    }

    internal void Fail(Exception error) => _prediction.SetException(error);
}
