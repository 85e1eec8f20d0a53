using System.ComponentModel.DataAnnotations;

namespace VoiceMesh.MediaStreams.Processing;

/// <summary>
/// The neural VAD (<c>MediaStreams:Silero</c>): the Silero VAD model and the hysteresis on its speech probability, one
/// step per 32 ms chunk (256 samples at 8 kHz). Dead air uses <see cref="VoiceActivityOptions.DeadAir"/>.
/// </summary>
public sealed class SileroOptions
{
    /// <summary>The Silero VAD v5/v6 ONNX model; relative to the service's directory. <c>deploy/local/install.sh</c> fetches it.</summary>
    [Required]
    public string ModelPath { get; set; } = "models/silero_vad.onnx";

    /// <summary>A chunk whose speech probability is at least this counts towards speech starting.</summary>
    [Range(0.01, 0.99)]
    public double StartProbability { get; set; } = 0.5;

    /// <summary>A chunk below this counts towards speech stopping (Silero's own default is 0.15 below the start).</summary>
    [Range(0.01, 0.99)]
    public double StopProbability { get; set; } = 0.35;

    /// <summary>Speech-like chunks in a row before speech starts (at the first of them).</summary>
    [Range(1, 50)]
    public int StartChunks { get; set; } = 2;

    /// <summary>Silence-like chunks in a row before speech stops (at the first of them).</summary>
    [Range(1, 200)]
    public int StopChunks { get; set; } = 8;

    /// <summary>The most chunks in one inference (<see cref="SileroBatcher"/>); more waiting run in the next.</summary>
    [Range(1, 256)]
    public int MaxBatch { get; set; } = 32;
}

/// <summary>Which voice activity detector a stream runs.</summary>
public enum VadKind
{
    /// <summary>Frame level against two thresholds: cheap, fooled by noise.</summary>
    Energy,

    /// <summary>The Silero VAD neural network (ONNX Runtime): robust in noise, ~80 us per 32 ms chunk alone, ~40 us batched.</summary>
    Silero,
}
