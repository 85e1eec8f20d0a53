using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// The Silero VAD (v5/v6) recurrent state of one audio track over the shared session: each call feeds the next 256
/// samples at 8 kHz (32 ms) with the previous chunk's last 32 as context and returns the speech probability. Tensors
/// are allocated once and bound to this track's arrays, so a chunk allocates nothing but ONNX Runtime's own.
/// </summary>
internal sealed class SileroStream : IDisposable
{
    public const int ChunkSamples = 256;
    private const int ContextSamples = 32;
    private const int StateSize = 2 * 1 * 128;
    private static readonly string[] InputNames = ["input", "state", "sr"];
    private static readonly string[] OutputNames = ["output", "stateN"];

    private readonly InferenceSession _session;
    private readonly float[] _input = new float[ContextSamples + ChunkSamples];
    private readonly float[] _state = new float[StateSize];
    private readonly float[] _nextState = new float[StateSize];
    private readonly float[] _probability = new float[1];
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;
    private readonly RunOptions _run = new();

    public SileroStream(InferenceSession session)
    {
        _session = session;
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(_input, [1, _input.Length]),
            OrtValue.CreateTensorValueFromMemory(_state, [2, 1, 128]),
            OrtValue.CreateTensorValueFromMemory(new long[] { 8000 }, []),
        ];
        _outputs =
        [
            OrtValue.CreateTensorValueFromMemory(_probability, [1, 1]),
            OrtValue.CreateTensorValueFromMemory(_nextState, [2, 1, 128]),
        ];
    }

    /// <summary>The input buffer's slot for the next chunk's samples (scaled to [-1, 1)).</summary>
    public Span<float> Chunk => _input.AsSpan(ContextSamples);

    /// <summary>The probability that the chunk written to <see cref="Chunk"/> is speech; keeps its tail as the next context.</summary>
    public float Predict()
    {
        _session.Run(_run, InputNames, _inputs, OutputNames, _outputs);
        _nextState.CopyTo(_state, 0);
        _input.AsSpan(_input.Length - ContextSamples).CopyTo(_input);
        return _probability[0];
    }

    public void Dispose()
    {
        foreach (var value in _inputs.Concat(_outputs))
        {
            value.Dispose();
        }

        _run.Dispose();
    }
}
